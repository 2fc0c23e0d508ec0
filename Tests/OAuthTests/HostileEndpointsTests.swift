import Foundation
import MCPClient
import Support
import Testing

@testable import OAuth

/// OAuth endpoints of a hostile server (issue 17's hostile-server suite). Redirects to another
/// host: nothing is sent there (HTTPClient follows no redirect), and the error says which step
/// was redirected where, instead of falling back to guessed endpoints.
@Suite struct HostileEndpointsTests {
    static let elsewhere = "http://127.0.0.1:1/elsewhere?code=secret"
    let redirect = StubServer.Answer(status: 307, body: "", headers: [("Location", elsewhere)])
    let named = "HTTP 307, a redirect to http://127.0.0.1:1/elsewhere, not followed"

    /// Protected resource metadata for `/mcp` at `location`, naming `issuer`.
    func publishResource(_ stub: StubServer, at location: String, issuer: String) {
        stub.on(location, json: #"{"resource": "\#(stub.base)/mcp", "authorization_servers": ["\#(issuer)"]}"#)
    }

    @Test func redirectedProtectedResourceMetadataIsNamedNotGuessedAround() async throws {
        try await withStub { stub in
            stub.on("/.well-known/oauth-protected-resource/mcp") { _ in redirect }
            stub.on("/.well-known/oauth-protected-resource") { _ in redirect }
            await #expect { try await Discovery(server: "s").discover(mcpURL: "\(stub.base)/mcp") } throws: { error in
                let text = "\(error)"
                return text.contains("\(stub.base)/.well-known/oauth-protected-resource answered \(named)")
                    && !text.contains("secret")
            }
            // Without trying the 2025-03-26 defaults at the server's origin.
            #expect(!stub.paths.contains { $0.contains("oauth-authorization-server") })
        }
    }

    @Test func aRedirectAtOneLocationStillFindsMetadataAtTheNext() async throws {
        try await withStub { stub in
            let base = stub.base
            stub.on("/.well-known/oauth-protected-resource/mcp") { _ in redirect }
            publishResource(stub, at: "/.well-known/oauth-protected-resource", issuer: base)
            stub.on(
                "/.well-known/oauth-authorization-server",
                json:
                    #"{"issuer": "\#(base)", "authorization_endpoint": "\#(base)/a", "token_endpoint": "\#(base)/t", "code_challenge_methods_supported": ["S256"]}"#
            )
            let found = try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp")
            #expect(found.authorizationServer.tokenEndpoint == "\(base)/t")
        }
    }

    @Test func redirectedAuthorizationServerMetadataIsNamed() async throws {
        try await withStub { stub in
            let base = stub.base
            publishResource(stub, at: "/.well-known/oauth-protected-resource/mcp", issuer: "\(base)/as")
            for path in [
                "/.well-known/oauth-authorization-server/as", "/.well-known/openid-configuration/as",
                "/as/.well-known/openid-configuration", "/as/.well-known/oauth-authorization-server",
            ] {
                stub.on(path) { _ in redirect }
            }
            await #expect { try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp") } throws: { error in
                "\(error)".contains(
                    "authorization discovery failed: \(base)/as/.well-known/oauth-authorization-server answered \(named)"
                )
            }
        }
    }

    @Test func aRedirectedRegistrationIsNamedNotBlamedOnTheClient() async throws {
        try await withStub { stub in
            stub.on("/register") { _ in redirect }
            let metadata = AuthorizationServerMetadata(
                issuer: stub.base, authorizationEndpoint: "\(stub.base)/a", tokenEndpoint: "\(stub.base)/t",
                registrationEndpoint: "\(stub.base)/register")
            let store = TokenStore(
                directory: FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-\(UUID())").path)
            let registrar = Registrar(
                serverName: "s", settings: OAuthSettings(), store: store,
                http: OAuthHTTP(server: "s", http: .shared, onStep: { _ in }))
            await #expect {
                try await registrar.registration(for: metadata, redirectURI: "http://127.0.0.1:9/callback")
            } throws: { error in
                let text = "\(error)"
                return text == "s: dynamic client registration at \(stub.base)/register answered \(named)"
            }
        }
    }

    /// How a code exchange at the stub's `/token` failed (nil when it did not).
    func codeExchangeFailure(_ stub: StubServer) async -> TokenEndpoint.Failure? {
        do {
            _ = try await TokenEndpoint(server: "s", http: OAuthHTTP(server: "s", http: .shared, onStep: { _ in }))
                .request(
                    "\(stub.base)/token", [("grant_type", "authorization_code"), ("code", "c0de")],
                    clientSecret: nil, clientID: "c", what: "code exchange")
            return nil
        } catch {
            return error
        }
    }

    @Test func aRedirectedTokenEndpointIsNamed() async throws {
        try await withStub { stub in
            stub.on("/token") { _ in redirect }
            guard case .refused(let detail, _, _)? = await codeExchangeFailure(stub) else {
                Issue.record("expected a refusal")
                return
            }
            #expect(detail == "\(stub.base)/token answered \(named)")
        }
    }

    /// An answer over the 1 MiB cap is named once, with the server named once (it used to read
    /// "s: s: code exchange: s: response … (will retry; nothing was deleted) (will retry; …)").
    @Test func aTokenAnswerOverTheCapIsNamedOnce() async throws {
        try await withStub { stub in
            stub.on("/token") { _ in .init(status: 200, body: String(repeating: " ", count: 2 << 20) + "{}") }
            guard case .transient(let detail)? = await codeExchangeFailure(stub) else {
                Issue.record("expected a transient failure")
                return
            }
            #expect(detail == "code exchange: response from \(stub.base)/token is larger than the 1 MiB limit")
        }
    }

    /// RFC 9728 §3.3: protected resource metadata is for the MCP endpoint it was fetched for
    /// (its `resource` names it, or a prefix of its path on its origin). The metadata fuzzer
    /// found `"resource": "https:"` taken as a prefix of every https endpoint; a resource
    /// without a host now covers nothing (Fuzz/corpus/metadata/prm-resource-without-host.json).
    @Test func aResourceCoversTheEndpointOnlyWithAHostOnItsOrigin() {
        let mcp = "https://mcp.example.com/tenant/mcp"
        for same in [
            "https://mcp.example.com/tenant/mcp", "https://MCP.example.com/tenant/", "https://mcp.example.com",
        ] {
            #expect(Discovery.resource(same, covers: mcp), "\(same)")
        }
        let foreign = [
            "https:", "https:/", "https://", "", "/", "/tenant/mcp", "mcp.example.com/tenant/mcp",
            "https://mcp.example.co", "https://mcp.example.com/ten", "https://evil.example/tenant/mcp",
            "http://mcp.example.com/tenant/mcp", "https://mcp.example.com:8443/tenant/mcp",
        ]
        for resource in foreign {
            #expect(!Discovery.resource(resource, covers: mcp), "\(resource)")
        }
    }
}
