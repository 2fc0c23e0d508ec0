import HTTP

/// Revokes a login's tokens where the server offers RFC 7009 revocation, then forgets them.
/// The local copy goes even when revocation fails: the user asked to be logged out.
public struct Logout: Sendable {
    let manager: TokenManager
    let store: TokenStore
    let http: HTTPClient

    public init(manager: TokenManager, store: TokenStore, http: HTTPClient = .shared) {
        self.manager = manager
        self.store = store
        self.http = http
    }

    /// What happened, in words.
    public func run() async -> String {
        guard let credential = try? await manager.current() else { return "no login stored" }
        var outcome = "the server offers no revocation; tokens forgotten locally"
        if let url = credential.revocationEndpoint {
            let endpoint = TokenEndpoint(
                server: manager.serverName, http: OAuthHTTP(server: manager.serverName, http: http, onStep: { _ in }))
            let secret =
                manager.settings.clientSecret ?? (try? store.loadRegistration(issuer: credential.issuer))??.clientSecret
            var results: [String] = []
            if let refresh = credential.refreshToken {
                results.append(
                    "refresh token "
                        + (await endpoint.revoke(
                            url, token: refresh, hint: "refresh_token", clientID: credential.clientID,
                            clientSecret: secret)))
            }
            if let access = credential.accessToken {
                results.append(
                    "access token "
                        + (await endpoint.revoke(
                            url, token: access, hint: "access_token", clientID: credential.clientID,
                            clientSecret: secret)))
            }
            outcome = results.joined(separator: ", ")
        }
        do {
            try await manager.forget()
        } catch {
            return outcome + "; \(error)"
        }
        return outcome
    }
}
