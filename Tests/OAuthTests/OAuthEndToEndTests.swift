import DemoServer
import Foundation
import HTTP
import MCPClient
import Monitor
import OAuth
import Testing

/// Login, refresh and failure handling end to end against DemoServer's authorization server,
/// with the browser played in-process (it follows the auto-approving redirect).
@Suite struct OAuthEndToEndTests {
    struct Fixture {
        let server: DemoServer
        let store: TokenStore
        let name = "demo"
        var url: String { server.url }

        func manager(settings: OAuthSettings = OAuthSettings()) -> TokenManager {
            TokenManager(serverName: name, serverURL: url, store: store, settings: settings)
        }

        func connection(_ manager: TokenManager, version: String? = nil) -> MCPConnection {
            MCPConnection(
                endpoint: ServerEndpoint(
                    name: name, transport: .streamableHTTP(url: url), protocolVersion: version, requestTimeout: 10),
                authorizer: OAuthAuthorizer(manager: manager))
        }

        /// Runs the login flow; the "browser" requests the authorization URL and follows its
        /// redirect to mcptop's loopback receiver.
        @discardableResult
        func login(extraScopes: [String] = [], settings: OAuthSettings = OAuthSettings()) async throws -> Credential {
            var options = LoginFlow.Options()
            options.openBrowser = false
            options.extraScopes = extraScopes
            options.timeout = .seconds(10)
            options.showURL = { url, _ in Task { try await Browser.follow(url) } }
            return try await LoginFlow(serverName: name, serverURL: url, settings: settings, store: store)
                .run(options: options)
        }
    }

    enum Browser {
        static func follow(_ url: String) async throws {
            var next = url
            for _ in 0..<5 {
                let response = try await HTTPClient.shared.send(HTTPRequest(url: next))
                guard (300..<400).contains(response.status), let location = response.headers["Location"] else { return }
                next = location
            }
        }
    }

    func withFixture(lifetime: Double = 30, _ body: (Fixture) async throws -> Void) async throws {
        var oauth = DemoOAuthOptions()
        oauth.accessTokenLifetime = lifetime
        var options = DemoServerOptions()
        options.oauth = oauth
        let server = DemoServer(options: options)
        _ = try await server.start()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-e2e-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try await body(Fixture(server: server, store: TokenStore(directory: folder)))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func logsInAndCallsAcrossFiveExpiriesWithoutSendingAnExpiredToken() async throws {
        try await withFixture(lifetime: 1) { fixture in
            let credential = try await fixture.login()
            #expect(credential.refreshToken != nil)
            #expect(credential.scopes.contains("tools"))
            for version in ["2025-11-25", "2026-07-28"] {
                let connection = fixture.connection(fixture.manager(), version: version)
                for index in 0..<12 {
                    let result = try await connection.callTool("echo", arguments: ["text": .string("\(index)")])
                    #expect(result.summaryLines == ["\(index)"])
                    try await Task.sleep(for: .milliseconds(250))
                }
                await connection.close()
            }
            let stats = fixture.server.stats()
            #expect(stats.expiredTokenRequests == 0)
            #expect(stats.refreshes >= 5)
            #expect(stats.invalidGrants == 0)
        }
    }

    @Test func refusedRefreshNeedsLoginAndKeepsTheRecord() async throws {
        try await withFixture(lifetime: 0.5) { fixture in
            try await fixture.login()
            fixture.server.setOptions { $0.oauth?.refreshFault = .invalidGrant }
            try await Task.sleep(for: .milliseconds(600))
            let connection = fixture.connection(fixture.manager())
            do {
                _ = try await connection.callTool("echo", arguments: ["text": "x"])
                Issue.record("expected the call to fail")
            } catch let error as MCPError {
                #expect(error.description.contains("invalid_grant"))
                #expect(error.description.contains("mcptop auth demo"))
            }
            let kept = try #require(try fixture.store.loadCredential(serverURL: fixture.url))
            #expect(kept.refreshToken != nil)
            #expect(kept.unusableReason != nil)
            // Logging in again replaces it and calls work.
            fixture.server.setOptions { $0.oauth?.refreshFault = nil }
            try await fixture.login()
            let again = fixture.connection(fixture.manager())
            #expect(try await again.callTool("echo", arguments: ["text": "back"]).summaryLines == ["back"])
        }
    }

    @Test func transientRefreshFailuresRecoverWithoutALogin() async throws {
        try await withFixture(lifetime: 0.5) { fixture in
            try await fixture.login()
            fixture.server.setOptions {
                $0.oauth?.refreshFault = .temporarilyUnavailable
                $0.oauth?.refreshFaultsLeft = 2
            }
            let manager = fixture.manager()
            let connection = fixture.connection(manager)
            try await Task.sleep(for: .milliseconds(600))
            var failures = 0
            var successes = 0
            for _ in 0..<5 {
                do {
                    _ = try await connection.callTool("echo", arguments: ["text": "x"])
                    successes += 1
                } catch {
                    failures += 1
                    #expect("\(error)".contains("will retry"))
                }
            }
            #expect(failures == 2)
            #expect(successes == 3)
            #expect(try fixture.store.loadCredential(serverURL: fixture.url)?.unusableReason == nil)
        }
    }

    @Test func insufficientScopeAsksForTheUnionAndStepUpGrantsIt() async throws {
        try await withFixture { fixture in
            try await fixture.login()
            let connection = fixture.connection(fixture.manager())
            do {
                _ = try await connection.callTool("admin")
                Issue.record("expected 403")
            } catch let error as MCPError {
                // The union of what was asked before (tools, offline_access) and the challenge.
                #expect(error.description.contains("needs the scopes \"tools offline_access admin\""))
            }
            try await fixture.login(extraScopes: ["admin"])
            let upgraded = fixture.connection(fixture.manager())
            #expect(try await upgraded.callTool("admin").summaryLines == ["admin ok"])
        }
    }

    @Test func aWrongIssuerInTheRedirectIsRejectedBeforeTheCodeIsUsed() async throws {
        try await withFixture { fixture in
            var options = LoginFlow.Options()
            options.openBrowser = false
            options.timeout = .seconds(10)
            options.showURL = { url, _ in
                Task {
                    let response = try await HTTPClient.shared.send(HTTPRequest(url: url))
                    guard let location = response.headers["Location"] else { return }
                    let forged = location.replacingOccurrences(
                        of: "iss=http%3A%2F%2F127.0.0.1", with: "iss=http%3A%2F%2Fevil.example")
                    _ = try await HTTPClient.shared.send(HTTPRequest(url: forged))
                }
            }
            await #expect {
                try await LoginFlow(
                    serverName: "demo", serverURL: fixture.url, settings: OAuthSettings(), store: fixture.store
                )
                .run(options: options)
            } throws: { error in
                "\(error)".contains("mix-up")
            }
            #expect(fixture.server.stats().codeExchanges == 0)
        }
    }
}
