import Foundation
import MCPClient
import Monitor
import OAuth
import Testing

/// The one place that decides between OAuth and the config's own headers, for the supervisor
/// and the one-shot commands alike.
@Suite struct ServerSpecTests {
    static let http = ServerEndpoint.Transport.streamableHTTP(url: "https://mcp.example.com/mcp")
    static let request = AuthorizationRequest(serverName: "acme", url: "https://mcp.example.com/mcp")

    static func spec(_ transport: ServerEndpoint.Transport, headers: [(String, String)] = []) -> ServerSpec {
        let endpoint = ServerEndpoint(name: "acme", transport: transport, headers: headers)
        return ServerSpec(endpoint: endpoint, usesOAuth: ServerSpec.oauthApplies(to: endpoint))
    }

    @Test func anHTTPServerWithoutItsOwnAuthorizationUsesOAuthWithTheOtherHeaders() throws {
        let spec = Self.spec(Self.http, headers: [("X-Api-Key", "k")])
        #expect(spec.usesOAuth)
        let manager = try #require(spec.tokenManager(store: temporaryStore()))
        #expect(manager.serverURL == "https://mcp.example.com/mcp")
        let authorizer = try #require(spec.authorizer(using: manager) as? OAuthAuthorizer)
        #expect(authorizer.staticHeaders.map(\.0) == ["X-Api-Key"])
        #expect(spec.authorizer(store: temporaryStore()) is OAuthAuthorizer)
    }

    @Test func anAuthorizationHeaderInTheConfigWinsOverOAuth() async throws {
        let spec = Self.spec(Self.http, headers: [("authorization", "Bearer from-config")])
        #expect(!spec.usesOAuth)
        #expect(spec.tokenManager(store: temporaryStore()) == nil)
        let authorizer = spec.authorizer(store: temporaryStore())
        #expect(authorizer is StaticAuthorizer)
        let headers = try await authorizer.headers(for: Self.request)
        #expect(headers.map(\.1) == ["Bearer from-config"])
    }

    @Test func aStdioServerNeverUsesOAuth() {
        let spec = Self.spec(.stdio(command: "server", arguments: [], environment: [:], workingDirectory: nil))
        #expect(!spec.usesOAuth)
        #expect(spec.httpURL == nil)
        #expect(spec.tokenManager(store: temporaryStore()) == nil)
        #expect(spec.authorizer(store: temporaryStore()) is StaticAuthorizer)
    }
}
