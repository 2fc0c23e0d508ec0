import Foundation
import MCPClient
import OAuth

/// What happened to a server. One stream of these feeds the dashboard, `watch` and metrics.
public struct MonitorEvent: Sendable {
    public enum Kind: Sendable {
        case stateChanged(ConnectionState)
        /// The login changed: refreshed, logged in, marked unusable, forgotten.
        case tokenChanged(TokenSummary?)
        /// A manual or scheduled refresh finished.
        case refreshed(Result<RefreshReport, OAuthError>)
        case callStarted(CallRecord)
        case callProgress(CallRecord)
        case callFinished(CallRecord)
        case authStep(AuthStep)
        /// Tools listed after connecting.
        case toolsListed(count: Int)
        /// A browser login beside the connection: started, finished or given up.
        case login(LoginUpdate)
        /// The server forgot the session (a 404) and a new one was made.
        case sessionRenewed(String)
        /// A request other than a tool call was answered or failed (only with
        /// ``MonitorOptions/reportsRequests``).
        case request(RequestRecord)
        /// The server answered 401 to the stored access token. `expiredAt` is that token's
        /// known expiry when it had passed by the time of the answer (a token the client should
        /// have replaced before sending); nil when it had not expired or its expiry is unknown.
        case tokenRejected(expiredAt: Date?)
        case log(String)
    }

    public var server: String
    public var time: Date
    public var kind: Kind

    public init(server: String, time: Date, kind: Kind) {
        self.server = server
        self.time = time
        self.kind = kind
    }

    /// What a renewed session (``Kind/sessionRenewed(_:)``) says, wherever it is seen.
    public static let sessionRenewedText = "new session: the server had forgotten ours (HTTP 404)"
}

/// How a browser login that runs beside the connection is getting on.
public enum LoginUpdate: Sendable, Equatable {
    /// The authorization URL to open (also shown, to copy over SSH).
    /// `offersDeviceLogin`: the authorization server publishes a `device_authorization_endpoint`,
    /// so a device login (RFC 8628) can take over.
    case waitingForBrowser(url: String, scopes: [String], offersDeviceLogin: Bool = false)
    /// A device login (RFC 8628): the code to enter and where (never the device code).
    case waitingForCode(DeviceLoginPrompt)
    case succeeded(String)
    case failed(String)
    /// Cancelled by the user; the connection and the stored login are as they were.
    case cancelled
    /// The server answered without asking for a login and publishes no OAuth metadata.
    case notNeeded(String)
}

/// What may be shown of a login: times, presence, fingerprints (last 4 characters), never a
/// secret.
public struct TokenSummary: Sendable, Equatable {
    public var issuer: String
    public var clientID: String
    public var scopes: [String]
    public var accessTokenFingerprint: String?
    public var expiresAt: Date?
    public var obtainedAt: Date?
    public var hasRefreshToken: Bool
    /// The refresh token's last 4 characters: a new one after a refresh is a rotation.
    public var refreshTokenFingerprint: String?
    public var refreshTokenObtainedAt: Date?
    public var refreshTokenExpiresAt: Date?
    public var lastRefreshAt: Date?
    public var lastRefreshResult: String?
    public var refreshCount: Int
    public var unusableReason: String?
    /// How long the login lasts, in words (``LoginVerdict``).
    public var loginVerdict: String
    /// Who logged in, when the server said (never a token).
    public var account: String?

    public init(_ credential: Credential) {
        issuer = credential.issuer
        clientID = credential.clientID
        scopes = credential.scopes
        accessTokenFingerprint = credential.accessToken.map { String($0.suffix(4)) }
        expiresAt = credential.expiresAt
        obtainedAt = credential.obtainedAt
        hasRefreshToken = credential.refreshToken != nil
        refreshTokenFingerprint = credential.refreshToken.map { String($0.suffix(4)) }
        refreshTokenObtainedAt = credential.refreshTokenObtainedAt
        refreshTokenExpiresAt = credential.refreshTokenExpiresAt
        lastRefreshAt = credential.lastRefreshAt
        lastRefreshResult = credential.lastRefreshResult
        refreshCount = credential.refreshCount
        unusableReason = credential.unusableReason
        loginVerdict = credential.verdict
        account = credential.account
    }
}
