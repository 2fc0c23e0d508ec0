/// Switches for the embedded OAuth 2.1 authorization server of ``DemoServer``
/// (``DemoServerOptions/oauth``). Like the other options they can be changed while the server
/// runs with ``DemoServer/setOptions(_:)``.
///
/// With OAuth on, /mcp, /sse and /messages need `Authorization: Bearer <access token>` issued by
/// the embedded server (issuer `http://127.0.0.1:PORT`), which offers RFC 8414 and RFC 9728
/// metadata, RFC 7591 registration, an auto-approving authorization endpoint (PKCE S256 only,
/// RFC 8707 `resource`, RFC 9207 `iss`), a token endpoint and RFC 7009 revocation.
public struct DemoOAuthOptions: Sendable {
    /// Access token lifetime in seconds (fractional allowed), sent as `expires_in`.
    public var accessTokenLifetime: Double = 30
    /// A refresh answers with a new refresh token. The one presented stays valid until the new
    /// access token or the new refresh token is first used (a grace for clients that died before
    /// saving the answer); presented after that, it revokes the whole grant (reuse detection).
    /// Off, refreshes answer without `refresh_token` and the refresh token stays valid.
    public var rotateRefreshTokens: Bool = true
    /// While set, every `refresh_token` grant answers this failure (``RefreshFault``);
    /// ``DemoServer/inject(_:on:)`` switches it.
    public var refreshFault: RefreshFault? = nil
    /// How many refreshes ``refreshFault`` answers (counted down as they arrive) before
    /// refreshes work again; nil: until it is switched off.
    public var refreshFaultsLeft: Int? = nil
    /// Seconds the token endpoint waits before it sends the answer to a refresh. The refresh
    /// itself (rotation included) is done before the wait, as if the answer were slow to arrive.
    public var refreshDelay: Double = 0
    /// RFC 9207: `iss` in authorization responses, and
    /// `authorization_response_iss_parameter_supported` in the metadata.
    public var includeIss: Bool = true
    /// Scopes the authorization server knows; requests for others get `invalid_scope`. The
    /// protected resource metadata lists them without `offline_access`.
    public var scopesSupported: [String] = ["tools", "admin", "offline_access"]
    /// The `scope` of the 401 challenge, and what an authorization request without `scope` gets.
    public var defaultScopes: [String] = ["tools"]
    /// When set, refresh tokens expire after this many seconds (sent as
    /// `refresh_token_expires_in`); an expired one gets `invalid_grant`.
    public var refreshTokenLifetime: Double? = nil
    /// Emulates an identity provider (``ProviderProfile``): its paths, metadata and quirks. Such
    /// a server is an authorization server only; ``ProviderFixture`` pairs it with a resource
    /// server on another origin.
    public var provider: ProviderQuirks? = nil
    /// The MCP endpoint the tokens are for, when it is another server's (``provider``).
    public var resourceURL: String? = nil
    /// A resource server only: tokens are issued and checked by this other server, named in
    /// the protected resource metadata; this server's own authorization endpoints are off.
    public var authorizationServer: DemoServer? = nil
    /// The origin clients reach this server at when it is not its own `http://127.0.0.1:PORT`:
    /// `https://127.0.0.1:PORT` behind a ``TLSTestServer`` front. Issuer and endpoints use it.
    public var publicOrigin: String? = nil

    public init() {}
}
