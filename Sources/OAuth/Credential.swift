import Foundation
import Support

/// A login for one MCP server, as stored on disk. Holds secrets: only `TokenStore` writes it and
/// only `CredentialSummary` (fingerprints, times) is ever shown.
public struct Credential: Codable, Sendable, Equatable {
    public var serverURL: String
    /// The RFC 8707 resource the tokens are for.
    public var resource: String
    public var issuer: String
    public var clientID: String
    public var tokenEndpoint: String
    /// `client_secret_basic` or `client_secret_post`, as the metadata said, for a client with a
    /// secret; nil for a public client (and in logins stored before it was kept: basic).
    public var tokenEndpointAuthMethod: String?
    public var revocationEndpoint: String?
    /// RFC 7662, where the server offers it: asked for the expiry when `expires_in` is missing.
    public var introspectionEndpoint: String?
    public var accessToken: String?
    public var tokenType: String
    /// When the access token was obtained, for "80% of its lifetime".
    public var obtainedAt: Date?
    /// nil when the server sent no `expires_in` (then only a 401 tells).
    public var expiresAt: Date?
    public var refreshToken: String?
    public var refreshTokenObtainedAt: Date?
    /// Known when the server says (`refresh_token_expires_in`) or the user configured it.
    public var refreshTokenExpiresAt: Date?
    public var scopes: [String]
    public var lastRefreshAt: Date?
    /// What the last refresh did, in words (never a secret).
    public var lastRefreshResult: String?
    public var refreshCount: Int
    /// Who logged in (``JWT/account(of:)``), when the server said in an ID token or a JWT.
    public var account: String?
    /// Whether refreshes bring a new refresh token; nil until the first refresh.
    public var refreshTokenRotates: Bool?
    /// Set when the server said the refresh token is no good (`invalid_grant`); the record is
    /// kept so the user sees why, and a new login replaces it.
    public var unusableReason: String?
    /// How many times this server's record has been written (a login or a refresh each add
    /// one): set by ``TokenStore`` only. A refresh writes its result only over the generation
    /// it started from, so a login stored meanwhile by another process is never overwritten.
    public var generation: Int

    public init(
        serverURL: String, resource: String, issuer: String, clientID: String, tokenEndpoint: String,
        revocationEndpoint: String?, tokens: TokenResponse, now: Date
    ) {
        self.serverURL = serverURL
        self.resource = resource
        self.issuer = issuer
        self.clientID = clientID
        self.tokenEndpoint = tokenEndpoint
        self.revocationEndpoint = revocationEndpoint
        accessToken = tokens.accessToken
        tokenType = tokens.tokenType
        obtainedAt = now
        expiresAt = tokens.expiresAt(now: now)
        refreshToken = tokens.refreshToken
        refreshTokenObtainedAt = tokens.refreshToken == nil ? nil : now
        refreshTokenExpiresAt = tokens.refreshTokenExpiresAt(now: now)
        scopes = tokens.scope?.split(separator: " ").map(String.init) ?? []
        account = tokens.account
        lastRefreshAt = nil
        lastRefreshResult = nil
        refreshCount = 0
        unusableReason = nil
        generation = 0
    }

    /// Reads a stored login. The file is ours, but it may be old, edited by hand or written
    /// from an absurd server answer: a date outside 1970–2200 is read as unknown and a
    /// count that is not one as 0, so that no later computation traps on it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> Date? {
            BoundedSeconds.storedDate(try container.decodeIfPresent(Date.self, forKey: key))
        }
        serverURL = try container.decode(String.self, forKey: .serverURL)
        resource = try container.decode(String.self, forKey: .resource)
        issuer = try container.decode(String.self, forKey: .issuer)
        clientID = try container.decode(String.self, forKey: .clientID)
        tokenEndpoint = try container.decode(String.self, forKey: .tokenEndpoint)
        tokenEndpointAuthMethod = try container.decodeIfPresent(String.self, forKey: .tokenEndpointAuthMethod)
        revocationEndpoint = try container.decodeIfPresent(String.self, forKey: .revocationEndpoint)
        introspectionEndpoint = try container.decodeIfPresent(String.self, forKey: .introspectionEndpoint)
        refreshTokenRotates = try container.decodeIfPresent(Bool.self, forKey: .refreshTokenRotates)
        account = try container.decodeIfPresent(String.self, forKey: .account)
        accessToken = try container.decodeIfPresent(String.self, forKey: .accessToken)
        tokenType = try container.decode(String.self, forKey: .tokenType)
        obtainedAt = try date(.obtainedAt)
        expiresAt = try date(.expiresAt)
        refreshToken = try container.decodeIfPresent(String.self, forKey: .refreshToken)
        refreshTokenObtainedAt = try date(.refreshTokenObtainedAt)
        refreshTokenExpiresAt = try date(.refreshTokenExpiresAt)
        scopes = try container.decode([String].self, forKey: .scopes)
        lastRefreshAt = try date(.lastRefreshAt)
        lastRefreshResult = try container.decodeIfPresent(String.self, forKey: .lastRefreshResult)
        let count = try container.decodeIfPresent(Double.self, forKey: .refreshCount) ?? 0
        // Bounded well below Int.max, which `refreshCount += 1` would overflow.
        refreshCount = min(max(0, NumberText.clampedInt(count)), Int(Int32.max))
        unusableReason = try container.decodeIfPresent(String.self, forKey: .unusableReason)
        // Absent in records written before generations were kept: the first generation.
        let written = try container.decodeIfPresent(Double.self, forKey: .generation) ?? 0
        generation = min(max(0, NumberText.clampedInt(written)), Int(Int32.max))
    }

    /// Applies a refresh response. Returns what the server did, for "refresh now" reports.
    mutating func apply(refresh tokens: TokenResponse, now: Date) -> RefreshReport {
        let rotated = tokens.refreshToken != nil && tokens.refreshToken != refreshToken
        let newScopes = tokens.scope?.split(separator: " ").map(String.init)
        let report = RefreshReport(
            rotated: rotated, expiresInPresent: tokens.expiresIn != nil,
            scopesChanged: newScopes.map { Set($0) != Set(scopes) } ?? false,
            expiresAt: tokens.expiresAt(now: now))
        accessToken = tokens.accessToken
        tokenType = tokens.tokenType
        obtainedAt = now
        expiresAt = report.expiresAt
        if rotated {
            refreshToken = tokens.refreshToken
            refreshTokenObtainedAt = now
        }
        if let end = tokens.refreshTokenExpiresAt(now: now) { refreshTokenExpiresAt = end }
        if let newScopes { scopes = newScopes }
        if let named = tokens.account { account = named }
        lastRefreshAt = now
        refreshTokenRotates = rotated
        lastRefreshResult = report.description
        refreshCount += 1
        unusableReason = nil
        return report
    }
}

/// Without its secrets: what a test's failure or a debug print shows.
extension Credential: CustomStringConvertible {
    public var description: String {
        let token = accessToken.map { "…" + $0.suffix(4) } ?? "none"
        return "Credential(\(serverURL), access token \(token), generation \(generation))"
    }
}

/// What one refresh did.
public struct RefreshReport: Sendable, Equatable, CustomStringConvertible {
    public var rotated: Bool
    public var expiresInPresent: Bool
    public var scopesChanged: Bool
    public var expiresAt: Date?
    /// True when another process had already refreshed and its result was taken over.
    public var adopted = false

    public var description: String {
        if adopted { return "ok: taken over from another process" }
        var parts = ["ok", rotated ? "refresh token rotated" : "refresh token kept"]
        parts.append(expiresInPresent ? "expires_in given" : "no expires_in")
        if scopesChanged { parts.append("scopes changed") }
        return parts.joined(separator: ", ")
    }
}
