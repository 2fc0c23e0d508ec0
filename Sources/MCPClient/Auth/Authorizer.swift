import Support

/// What an authorizer is told about the request it is asked to authorize.
public struct AuthorizationRequest: Sendable {
    public var serverName: String
    /// The URL the request goes to (the MCP endpoint, or the legacy SSE endpoints).
    public var url: String

    public init(serverName: String, url: String) {
        self.serverName = serverName
        self.url = url
    }
}

/// The server refused a request with 401 or 403.
public struct AuthorizationFailure: Sendable {
    public var status: Int
    public var url: String
    public var challenges: [AuthChallenge]
    /// The Authorization header the refused request carried, so the authorizer can tell a
    /// stale token from its current one. A secret: never printed (not part of any description).
    public var rejectedAuthorization: String?

    public init(status: Int, url: String, challenges: [AuthChallenge]) {
        self.status = status
        self.url = url
        self.challenges = challenges
    }

    /// The Bearer challenge, where the OAuth parameters live.
    public var bearer: AuthChallenge? { challenges.first { $0.scheme == "bearer" } }
}

/// Supplies credentials at the moment each request is sent, so no transport or session keeps
/// a bearer header of its own (DESIGN.md: the frozen-header bug of today's clients).
public protocol Authorizer: Sendable {
    /// Headers to add to the request about to be sent (e.g. `Authorization`).
    func headers(for request: AuthorizationRequest) async throws -> [(String, String)]

    /// The server answered 401/403. Return true when new credentials are ready and the request
    /// should be retried once; false to give up with the failure.
    func handle(_ failure: AuthorizationFailure, for request: AuthorizationRequest) async throws
        -> Bool
}

/// Headers fixed in the configuration (an API key, a pre-issued bearer token), or none.
public struct StaticAuthorizer: Authorizer {
    public var staticHeaders: [(String, String)]

    public init(headers: [(String, String)] = []) {
        staticHeaders = headers
    }

    public func headers(for request: AuthorizationRequest) async throws -> [(String, String)] {
        staticHeaders
    }

    public func handle(_ failure: AuthorizationFailure, for request: AuthorizationRequest)
        async throws -> Bool
    {
        false
    }
}
