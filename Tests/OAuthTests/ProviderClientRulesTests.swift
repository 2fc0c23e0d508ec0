import Foundation
import Support
import Synchronization
import Testing

@testable import OAuth

/// The client-side rules for real identity providers, each at the lowest level that decides it.
@Suite struct ProviderClientRulesTests {
    func flow(_ settings: OAuthSettings, onStep: @escaping AuthStepHandler = { _ in }) -> LoginFlow {
        LoginFlow(
            serverName: "s", serverURL: "https://mcp.example.com/mcp", settings: settings,
            store: TokenStore(directory: "/nonexistent"), onStep: onStep)
    }

    // https://developers.google.com/identity/protocols/oauth2/native-app#step-2:-send-a-request-to-googles-oauth-2.0-server
    @Test func googleGetsOfflineAccessTypeAndConsentPromptUnlessConfigured() {
        let google = "https://accounts.google.com/o/oauth2/v2/auth"
        let automatic = flow(OAuthSettings()).authorizationParameters(endpoint: google)
        #expect(automatic.map(\.0) == ["access_type", "prompt"])
        #expect(automatic.map(\.1) == ["offline", "consent"])
        var configured = OAuthSettings()
        configured.authorizationParams = ["access_type": "online", "login_hint": "a@example.com"]
        #expect(flow(configured).authorizationParameters(endpoint: google).map(\.1) == ["online", "a@example.com"])
        #expect(flow(OAuthSettings()).authorizationParameters(endpoint: "https://idp.example.com/authorize").isEmpty)
    }

    // RFC 8414 §2 (client_secret_basic when unsaid); GitHub lists client_secret_post only.
    @Test func clientAuthenticationFollowsTheMetadata() {
        #expect(TokenEndpoint.authMethod(supported: []) == "client_secret_basic")
        #expect(
            TokenEndpoint.authMethod(supported: ["client_secret_post", "client_secret_basic"]) == "client_secret_basic")
        #expect(TokenEndpoint.authMethod(supported: ["client_secret_post"]) == "client_secret_post")
        #expect(TokenEndpoint.authMethod(supported: ["private_key_jwt"]) == "client_secret_basic")
    }

    @Test func entraHostsAreKnownAndOthersAreNot() {
        #expect(Discovery.isEntraHost("login.microsoftonline.com"))
        #expect(Discovery.isEntraHost("contoso.b2clogin.com"))
        #expect(!Discovery.isEntraHost("login.microsoftonline.com.evil.example"))
        #expect(!Discovery.isEntraHost("accounts.google.com"))
    }

    // Entra's OIDC metadata has no code_challenge_methods_supported although Entra does S256
    // (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow): for its
    // hosts S256 is assumed, and the timeline says so; any other host is refused.
    @Test func entraMetadataWithoutS256PassesValidationWithS256AssumedOnTheTimeline() throws {
        func metadata(_ issuer: String) throws -> AuthorizationServerMetadata {
            try #require(
                AuthorizationServerMetadata(json: [
                    "issuer": .string(issuer), "authorization_endpoint": .string(issuer + "/authorize"),
                    "token_endpoint": .string(issuer + "/token"),
                ]))
        }
        let steps = Mutex<[AuthStep]>([])
        let discovery = Discovery(server: "s", onStep: { step in steps.withLock { $0.append(step) } })
        try discovery.validate(try metadata("https://login.microsoftonline.com/t/v2.0"))
        let said = steps.withLock { $0.map(\.description) }
        #expect(said.contains { $0.contains("S256 assumed: login.microsoftonline.com is Entra ID") }, "\(said)")
        #expect(throws: OAuthError.self) { try discovery.validate(try metadata("https://idp.example.com/t/v2.0")) }
    }

    @Test func serverTextReachesTheTerminalOnOneLineWithoutControlCharacters() {
        let entra = "AADSTS9010010: The resource parameter\r\nTrace ID: 1\r\nCorrelation ID: 2"
        #expect(ServerText.oneLine(entra) == "AADSTS9010010: The resource parameter / Trace ID: 1 / Correlation ID: 2")
        #expect(ServerText.oneLine("red \u{1B}[31mtext\u{07}\u{9B}2J") == "red  [31mtext  2J")
        #expect(ServerText.oneLine(String(repeating: "x", count: 500), limit: 10) == "xxxxxxxxxx…")
    }

    static func jwt(_ claims: String) -> String {
        "eyJhbGciOiJIUzI1NiJ9." + Base64URL.encode(Data(claims.utf8)) + ".c2ln"
    }

    @Test func theAccountComesFromTheTokenClaimsOnOneLine() {
        #expect(
            JWT.account(of: Self.jwt(#"{"sub":"u1","email":"a@example.com","tid":"t-9"}"#))
                == "a@example.com (tenant t-9)")
        #expect(JWT.account(of: Self.jwt(#"{"sub":"u1","preferred_username":"alice"}"#)) == "alice")
        #expect(JWT.account(of: Self.jwt(#"{"sub":"u1"}"#)) == "subject u1")
        #expect(JWT.account(of: Self.jwt(#"{"email":"a@x\r\n\u001b[2Jb"}"#)) == "a@x /  [2Jb")
        #expect(JWT.account(of: "ya29.opaque-google-token") == nil)
        #expect(JWT.account(of: Self.jwt("[1,2]")) == nil)
    }

    @Test func refusalsNameEntraCodesAndAdaptOnce() {
        #expect(
            IssuerAdaptations.refusalName(error: "invalid_target", description: "AADSTS9010010: The resource")
                == "AADSTS9010010")
        #expect(
            IssuerAdaptations.refusalName(error: "invalid_target", description: "resource is wrong") == "invalid_target"
        )
        var adaptations = IssuerAdaptations(issuer: "https://idp.example.com")
        let change = adaptations.change(
            forError: "invalid_target", description: nil, sentResource: true, scopes: ["a"])
        #expect(change == .omitResource)
        adaptations.changes[.omitResource] = "reason"
        #expect(adaptations.change(forError: "invalid_target", description: nil, sentResource: true, scopes: []) == nil)
        #expect(
            adaptations.change(
                forError: "invalid_scope",
                description: "Some requested scopes were invalid. {invalid=[offline_access]}",
                sentResource: false, scopes: ["openid", "offline_access"]) == .omitOfflineAccess)
        #expect(
            adaptations.change(
                forError: "invalid_scope", description: "unknown scope x", sentResource: false, scopes: ["x"])
                == nil)
    }
}
