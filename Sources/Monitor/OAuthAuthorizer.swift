import Foundation
import MCPClient
import OAuth

/// The MCP client's authorizer backed by a `TokenManager`: each request carries the token that
/// is current when it is sent; a 401 refreshes once and retries once; a server that needs a
/// login the user has not done says so, with the command to run.
public struct OAuthAuthorizer: Authorizer {
    public let manager: TokenManager
    /// Headers from the config that go along (API keys).
    public let staticHeaders: [(String, String)]
    /// Told of each 401 to the stored access token, with that token's expiry when known
    /// (the supervisor counts tokens presented after their expiry).
    public let onRejected: @Sendable (_ expiresAt: Date?) -> Void

    public init(
        manager: TokenManager, staticHeaders: [(String, String)] = [],
        onRejected: @escaping @Sendable (_ expiresAt: Date?) -> Void = { _ in }
    ) {
        self.manager = manager
        self.staticHeaders = staticHeaders
        self.onRejected = onRejected
    }

    public func headers(for request: AuthorizationRequest) async throws -> [(String, String)] {
        var headers = staticHeaders
        if let token = try await manager.accessToken() {
            headers.append(("Authorization", "Bearer \(token)"))
        }
        return headers
    }

    public func handle(_ failure: AuthorizationFailure, for request: AuthorizationRequest) async throws -> Bool {
        let name = manager.serverName
        if failure.status == 403, let bearer = failure.bearer, bearer.error == "insufficient_scope" {
            // Step-up needs the user: report the union of what we hold and what is asked.
            let held = (try? await manager.current())??.scopes ?? []
            let asked = bearer.scope?.split(separator: " ").map(String.init) ?? []
            let union = held + asked.filter { !held.contains($0) }
            throw OAuthError(server: name, .insufficientScope(scopes: union.joined(separator: " ")))
        }
        guard failure.status == 401 else { return false }
        guard let stored = try await manager.current() else {
            throw OAuthError(server: name, .needsLogin(reason: "the server requires a login"))
        }
        let sent = failure.rejectedAuthorization.flatMap { header -> String? in
            header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)) : nil
        }
        if let sent, sent == stored.accessToken { onRejected(stored.expiresAt) }
        return try await manager.rejected(token: sent, challenge: failure.bearer)
    }
}
