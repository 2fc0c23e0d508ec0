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

    /// What happened, in words: a sentence that stands alone (CLI and dashboard log).
    public func run() async -> String {
        guard let credential = try? await manager.current() else { return "no login stored" }
        var revocation = "the server offers no revocation"
        if let url = credential.revocationEndpoint {
            let endpoint = TokenEndpoint(
                server: manager.serverName, http: OAuthHTTP(server: manager.serverName, http: http, onStep: { _ in }))
            let secret =
                manager.settings.clientSecret ?? (try? store.loadRegistration(issuer: credential.issuer))??.clientSecret
            var failures: [String] = []
            for (kind, hint, token) in [
                ("refresh token", "refresh_token", credential.refreshToken),
                ("access token", "access_token", credential.accessToken),
            ] {
                guard let token else { continue }
                if let failure = await endpoint.revoke(
                    url, token: token, hint: hint, clientID: credential.clientID, clientSecret: secret)
                {
                    failures.append("\(kind): \(failure)")
                }
            }
            revocation =
                failures.isEmpty
                ? "the tokens were revoked at the server"
                : "revoking the tokens at the server failed (\(failures.joined(separator: "; "))), so the server "
                    + "may accept them until they expire"
        }
        do {
            try await manager.forget()
        } catch {
            return "\(revocation); the login could not be removed from this machine: \(error)"
        }
        return "\(revocation); the login was removed from this machine. Logged out."
    }
}
