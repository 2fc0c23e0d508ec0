import Foundation

/// The `oauth` object of a server in the config.
public struct OAuthSettings: Sendable, Equatable {
    /// What to send as RFC 8707 `resource` (`oauth.resource`).
    public enum Resource: Sendable, Equatable {
        /// The resource discovery found (the default).
        case discovered
        /// Never send it (`false`), for servers that refuse it.
        case omitted
        /// This value instead.
        case value(String)
    }

    /// A client registered by hand with the authorization server.
    public var clientID: String?
    /// Its secret, from the environment (`${ENV}`); never stored by mcptop.
    public var clientSecret: String?
    /// Scopes to ask for instead of the ones the server suggests.
    public var scopes: [String]?
    /// A fixed redirect URI (must be http on loopback), e.g. for a pre-registered client.
    public var redirectURI: String?
    /// A Client ID Metadata Document URL to use as client_id where the server supports it.
    public var clientMetadataURL: String?
    /// Refresh when this fraction of the lifetime is left (default 0.2) …
    public var refreshFraction: Double
    /// … or when this many seconds are left, whichever comes first (default 60).
    public var refreshMarginSeconds: Double
    /// The refresh token's lifetime, if known to the user, to warn before a login is needed.
    public var refreshTokenLifetimeSeconds: Double?
    /// Refresh before expiry (default). Off, tokens are refreshed only when a server answers
    /// 401: for servers whose clocks or lifetimes cannot be trusted, and for comparison.
    public var proactiveRefresh = true
    /// Extra authorization request parameters (`audience`, `access_type`, `prompt`, `login_hint`).
    public var authorizationParams: [String: String] = [:]
    /// Extra token request parameters (code exchange and refresh).
    public var tokenParams: [String: String] = [:]
    public var resource = Resource.discovered
    /// The authorization server does PKCE with S256 although its metadata does not list it.
    public var assumePkceS256 = false
    /// `oauth.deviceLogin`: the dashboard's login key runs the device authorization grant
    /// (RFC 8628: a code to enter on another device) rather than the browser login.
    public var deviceLogin = false

    /// Parameters mcptop sets itself: `authorizationParams` and `tokenParams` may not name them.
    public static let protocolParameters: Set<String> = [
        "response_type", "client_id", "client_secret", "redirect_uri", "state", "code_challenge",
        "code_challenge_method", "code", "code_verifier", "grant_type", "refresh_token", "resource", "scope",
    ]

    /// The `resource` to send, given the one discovery found; nil to send none.
    public func resourceParameter(discovered: String) -> String? {
        switch resource {
        case .discovered: return discovered
        case .omitted: return nil
        case .value(let value): return value
        }
    }

    public init(
        clientID: String? = nil, clientSecret: String? = nil, scopes: [String]? = nil, redirectURI: String? = nil,
        clientMetadataURL: String? = nil, refreshFraction: Double = 0.2, refreshMarginSeconds: Double = 60,
        refreshTokenLifetimeSeconds: Double? = nil
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.redirectURI = redirectURI
        self.clientMetadataURL = clientMetadataURL
        self.refreshFraction = refreshFraction
        self.refreshMarginSeconds = refreshMarginSeconds
        self.refreshTokenLifetimeSeconds = refreshTokenLifetimeSeconds
    }

    /// DESIGN.md: refresh at expiry − min(fraction × lifetime, margin): at 80% of a short
    /// token's life, 60 s before a long one's end.
    public func refreshTime(obtainedAt: Date?, expiresAt: Date?) -> Date? {
        guard proactiveRefresh, let expiresAt else { return nil }
        let lifetime = obtainedAt.map { expiresAt.timeIntervalSince($0) } ?? refreshMarginSeconds / refreshFraction
        return expiresAt.addingTimeInterval(-min(max(lifetime, 0) * refreshFraction, refreshMarginSeconds))
    }
}
