import Foundation
import MCPClient
import Monitor
import OAuth
import Synchronization
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

    /// The supervisor counts tokens presented after their expiry from what the authorizer tells
    /// it of each 401: the stored token's expiry, and nothing for a token that is not the
    /// stored one (already replaced).
    @Test func a401ToTheStoredTokenTellsItsExpiry() async throws {
        let store = temporaryStore()
        let expiry = Date(timeIntervalSince1970: 1_800_000_000)
        var credential = Credential(
            serverURL: "https://mcp.example.com/mcp", resource: "https://mcp.example.com/mcp",
            issuer: "http://127.0.0.1:1", clientID: "client", tokenEndpoint: "http://127.0.0.1:1/token",
            revocationEndpoint: nil, tokens: TokenResponse(json: ["access_token": "stored-token"])!, now: expiry)
        credential.expiresAt = expiry
        _ = try await store.saveLogin(credential)
        let spec = Self.spec(Self.http)
        let manager = try #require(spec.tokenManager(store: store))
        let told = Mutex<[Date?]>([])
        let authorizer = spec.authorizer(using: manager) { expiresAt in told.withLock { $0.append(expiresAt) } }
        var failure = AuthorizationFailure(status: 401, url: "https://mcp.example.com/mcp", challenges: [])
        failure.rejectedAuthorization = "Bearer stored-token"
        // No refresh token: the refresh that follows fails, which is not what is tested here.
        _ = try? await authorizer.handle(failure, for: Self.request)
        failure.rejectedAuthorization = "Bearer an-older-token"
        _ = try? await authorizer.handle(failure, for: Self.request)
        #expect(told.withLock { $0 } == [expiry])
    }
}
