import Foundation
import HTTP
import MCPClient
import OAuth

/// One configured server, as the monitor needs it.
public struct ServerSpec: Sendable {
    public var endpoint: ServerEndpoint
    public var oauth: OAuthSettings
    /// OAuth applies: an HTTP server without an `Authorization` header of its own.
    public var usesOAuth: Bool
    /// Why the config entry cannot be used as written (an unset `${VAR}`); such a server is
    /// shown, in the `config` state, and never connects.
    public var problem: String?
    /// The URL or command as written in the config, before `${VAR}` expansion, so a secret
    /// taken from the environment never reaches a screen.
    public var displayTarget: String

    public var name: String { endpoint.name }

    public init(
        endpoint: ServerEndpoint, oauth: OAuthSettings = OAuthSettings(), usesOAuth: Bool, problem: String? = nil,
        displayTarget: String? = nil
    ) {
        self.endpoint = endpoint
        self.oauth = oauth
        self.usesOAuth = usesOAuth
        self.problem = problem
        self.displayTarget = displayTarget ?? endpoint.target
    }

    /// The URL a login is for.
    public var httpURL: String? { endpoint.httpURL }

    /// Whether OAuth applies to a server: it is reached over HTTP and the config does not set
    /// an `Authorization` header of its own (an API key or a pre-issued token wins).
    public static func oauthApplies(to endpoint: ServerEndpoint) -> Bool {
        endpoint.httpURL != nil
            && !endpoint.headers.contains { $0.0.caseInsensitiveCompare("Authorization") == .orderedSame }
    }

    /// The token manager of a server OAuth applies to; nil for the others.
    public func tokenManager(
        store: TokenStore, http: HTTPClient = .shared, now: @escaping @Sendable () -> Date = { Date() },
        onStep: @escaping AuthStepHandler = { _ in }, onChange: @escaping @Sendable (Credential?) -> Void = { _ in }
    ) -> TokenManager? {
        guard usesOAuth, let url = httpURL else { return nil }
        return TokenManager(
            serverName: name, serverURL: url, store: store, settings: oauth, http: http, now: now, onStep: onStep,
            onChange: onChange)
    }

    /// How the server's requests are authorized, decided here for the supervisor and the
    /// one-shot commands alike: the token `manager` holds (made by `tokenManager`) along with
    /// the config's headers, or the config's headers alone. `onRejected` hears of each 401 to
    /// the stored token, with its expiry.
    public func authorizer(
        using manager: TokenManager?, onRejected: @escaping @Sendable (_ expiresAt: Date?) -> Void = { _ in }
    ) -> any Authorizer {
        guard let manager else { return StaticAuthorizer(headers: endpoint.headers) }
        return OAuthAuthorizer(manager: manager, staticHeaders: endpoint.headers, onRejected: onRejected)
    }

    /// The authorizer of a one-shot command or a bridge, with a token manager of its own;
    /// `onStep` hears of each OAuth request it makes (in the task that needed it).
    public func authorizer(store: TokenStore, http: HTTPClient = .shared, onStep: @escaping AuthStepHandler = { _ in })
        -> any Authorizer
    {
        authorizer(using: tokenManager(store: store, http: http, onStep: onStep))
    }
}
