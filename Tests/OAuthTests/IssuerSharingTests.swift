import DemoServer
import Foundation
import HTTP
import MCPClient
import Monitor
import OAuth
import Testing

/// Logins of servers behind one issuer, and of a server whose authorization server changes:
/// nothing is shared by accident, and a new authorization server means a new registration.
@Suite struct IssuerSharingTests {
    typealias Session = ProviderLoginTests.Session

    /// A second MCP server protected by the same emulated provider (Auth0: the API is chosen
    /// by `audience`, so one provider serves both).
    static func secondServer(behind fixture: ProviderFixture) async throws -> DemoServer {
        var oauth = DemoOAuthOptions()
        oauth.authorizationServer = fixture.provider
        oauth.scopesSupported = [fixture.resourceScope]
        oauth.defaultScopes = [fixture.resourceScope]
        var options = DemoServerOptions()
        options.oauth = oauth
        let server = DemoServer(options: options)
        _ = try await server.start()
        return server
    }

    static func settings(audience: String) -> OAuthSettings {
        var settings = OAuthSettings()
        settings.authorizationParams = ["audience": audience]
        return settings
    }

    /// Auth0: one tenant (one issuer) serves several APIs, each chosen by `audience`
    /// (https://auth0.com/docs/get-started/apis); MCP: a token is for one resource only
    /// (https://modelcontextprotocol.io/specification/draft/basic/authorization, token audience binding).
    @Test func twoServersBehindOneIssuerShareNoToken() async throws {
        try await ProviderLoginTests.withSession(.auth0, settings: OAuthSettings()) { first in
            let other = try await Self.secondServer(behind: first.fixture)
            defer { Task { await other.stop() } }
            let a = try await first.login()
            let secondSession = Session(
                fixture: first.fixture, store: first.store, settings: Self.settings(audience: other.url))
            let flow = LoginFlow(
                serverName: "other", serverURL: other.url, settings: secondSession.settings, store: first.store)
            var options = LoginFlow.Options()
            options.openBrowser = false
            options.timeout = .seconds(10)
            options.showURL = { url, _ in Task { try await ProviderLoginTests.follow(url, with: .shared) } }
            let b = try await flow.run(options: options)
            #expect(a.issuer == b.issuer)
            #expect(a.accessToken != b.accessToken && a.refreshToken != b.refreshToken)
            // B's login (which registers again when the redirect port is taken) leaves A's working.
            _ = try await first.manager().refreshNow()
            // A's token is not for B: B refuses it (its audience is A).
            var request = HTTPRequest(
                method: "POST", url: other.url, body: Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8))
            request.headers.add("Content-Type", "application/json")
            request.headers.add("Authorization", "Bearer \(a.accessToken ?? "")")
            #expect(try await HTTPClient.shared.send(request).status == 401)
            // Forgetting A's login leaves B's.
            try first.store.deleteCredential(serverURL: first.fixture.mcpURL)
            #expect(try first.store.loadCredential(serverURL: other.url)?.accessToken == b.accessToken)
        }
    }

    /// RFC 9728 §3: the resource names its authorization servers in its metadata, which may
    /// change (a tenant moved to another Auth0 tenant); RFC 7591 registrations are per
    /// authorization server, and a refresh token is only for the server that issued it.
    @Test func aChangedAuthorizationServerMeansANewRegistrationAndNoOldTokenReachesIt() async throws {
        try await ProviderLoginTests.withSession(.auth0, settings: OAuthSettings()) { session in
            let before = try await session.login()
            let next = ProviderFixture(.auth0)
            try await next.start()
            defer { Task { await next.stop() } }
            let mcpURL = session.fixture.mcpURL
            next.provider.setOptions { $0.oauth?.resourceURL = mcpURL }
            session.fixture.resourceServer.setOptions { $0.oauth?.authorizationServer = next.provider }
            // The old token means nothing to the new server, which names its new authorization
            // server in its metadata: the old refresh token is presented nowhere, and the
            // message says what changed.
            let refreshesBefore = session.fixture.provider.stats().refreshesStarted
            let refused = await #expect(throws: (any Error).self) { try await session.call(session.manager(), "old") }
            let message = "\(refused.map { "\($0)" } ?? "")"
            #expect(
                message.contains(
                    "the authorization server of idp changed from \(before.issuer) to \(next.issuer)"),
                "\(message)")
            #expect(message.contains("run 'mcptop auth idp'"), "\(message)")
            #expect(session.fixture.provider.stats().refreshesStarted == refreshesBefore)
            #expect(next.provider.stats().refreshesStarted == 0)
            let after = try await session.login()
            #expect(after.issuer == next.issuer)
            #expect(after.issuer != before.issuer)
            #expect(next.provider.stats().registrations == 1)
            #expect(
                session.log.text.contains("changed from \(before.issuer) to \(next.issuer)"), "\(session.log.text)")
            // Only the new issuer's login is kept for the server.
            #expect(try session.store.loadCredential(serverURL: mcpURL)?.issuer == next.issuer)
            #expect(
                !FileManager.default.fileExists(
                    atPath: session.store.credentialPath(serverURL: mcpURL, issuer: before.issuer)))
            #expect(try await session.call(session.manager(), "new") == ["new"])
        }
    }
}
