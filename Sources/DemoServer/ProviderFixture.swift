/// An emulated identity provider and the MCP server it protects, on two origins (two loopback
/// ports): the MCP server publishes RFC 9728 metadata naming the provider as its authorization
/// server and accepts only access tokens the provider issued for it.
public final class ProviderFixture: Sendable {
    public let profile: ProviderProfile
    /// The emulated provider (an authorization server only).
    public let provider: DemoServer
    /// The MCP server (a resource server only).
    public let resourceServer: DemoServer

    /// The client "registered by hand in the provider's console" for profiles without open
    /// dynamic registration.
    public static let clientID = "mcptop-test-client"

    /// The resource scope as the provider spells it.
    public var resourceScope: String { Self.resourceScope(profile) }

    public static func resourceScope(_ profile: ProviderProfile) -> String {
        switch profile {
        case .entra: return "api://mcptop-test/tools"
        case .okta: return "mcp:tools"
        case .auth0: return "read:tools"
        case .keycloak: return "mcp-tools"
        case .github: return "read:user"
        case .google: return "https://www.googleapis.com/auth/userinfo.email"
        case .salesforce: return "api"
        }
    }

    /// The provider's own scopes beside ``resourceScope``, as its metadata lists them.
    static func providerScopes(_ profile: ProviderProfile) -> [String] {
        switch profile {
        case .entra: return ["openid", "profile", "email", "offline_access", "api://mcptop-test/.default"]
        case .okta, .auth0, .keycloak: return ["openid", "profile", "email", "offline_access"]
        case .github: return ["repo", "user"]
        case .google: return ["openid", "email", "profile"]
        case .salesforce: return ["openid", "id", "refresh_token", "offline_access", "web"]
        }
    }

    /// `quirks` changes the profile's defaults; `accessTokenLifetime` is the provider's.
    public init(
        _ profile: ProviderProfile, accessTokenLifetime: Double = 30,
        quirks change: (inout ProviderQuirks) -> Void = { _ in }
    ) {
        self.profile = profile
        var quirks = profile.quirks
        change(&quirks)
        let scope = Self.resourceScope(profile)
        var authorization = DemoOAuthOptions()
        authorization.provider = quirks
        authorization.accessTokenLifetime = accessTokenLifetime
        // RFC 9207 `iss` in the redirect: Keycloak sends it; the others here do not.
        authorization.includeIss = profile == .keycloak
        authorization.scopesSupported = Self.providerScopes(profile) + [scope]
        authorization.defaultScopes = [scope]
        var providerOptions = DemoServerOptions()
        providerOptions.oauth = authorization
        provider = DemoServer(options: providerOptions)
        var resource = DemoOAuthOptions()
        resource.authorizationServer = provider
        resource.scopesSupported = [scope]
        resource.defaultScopes = [scope]
        var resourceOptions = DemoServerOptions()
        resourceOptions.oauth = resource
        resourceServer = DemoServer(options: resourceOptions)
    }

    /// Starts both servers and tells the provider which resource its tokens are for.
    public func start() async throws {
        _ = try await provider.start()
        _ = try await resourceServer.start()
        let mcpURL = resourceServer.url
        provider.setOptions { $0.oauth?.resourceURL = mcpURL }
    }

    public func stop() async {
        await resourceServer.stop()
        await provider.stop()
    }

    public var mcpURL: String { resourceServer.url }
    public var issuer: String { provider.issuer }
    /// The provider's `http://127.0.0.1:PORT` (or its ``DemoOAuthOptions/publicOrigin``).
    public var providerOrigin: String { provider.origin }

    /// Puts the provider behind an HTTPS front signed by a test CA (``TLSTestServer``): its
    /// issuer and endpoints become `https://127.0.0.1:PORT…`. The caller stops the front.
    public func serveProviderOverHTTPS() async throws -> TLSTestServer {
        let port = provider.state.withLock { $0.port }
        let front = try await TLSTestServer.start(signedByTestCA: true, forwardingTo: port)
        let origin = "https://127.0.0.1:\(front.port)"
        provider.setOptions { $0.oauth?.publicOrigin = origin }
        return front
    }
}
