/// The identity providers ``ProviderFixture`` emulates, each as the quirks its documentation
/// (and the reports against MCP clients) describe. ``quirks`` gives the defaults; every quirk is
/// a field of ``ProviderQuirks`` a test may switch.
public enum ProviderProfile: String, Sendable, CaseIterable {
    case entra, okta, auth0, keycloak, github, google, salesforce

    public var quirks: ProviderQuirks {
        var quirks = ProviderQuirks(profile: self)
        switch self {
        case .entra:
            // https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc (per-tenant
            // issuer, OIDC discovery only, no code_challenge_methods_supported);
            // https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS9010010).
            quirks.issuerPath = "/tenant-0000/v2.0"
            quirks.endpointPrefix = "/tenant-0000/oauth2/v2.0"
            quirks.advertisesS256 = false
            quirks.resourceParameter = .refusedWithScope
            quirks.defaultScopeRule = true
            quirks.refresh = .withScope(["offline_access"])
            quirks.jwtAccessTokens = true
            quirks.clientAuthMethods = ["client_secret_post", "client_secret_basic"]
            // https://learn.microsoft.com/entra/identity-platform/refresh-tokens (a new refresh
            // token with every refresh, each valid for 90 days of inactivity; AADSTS700082).
            quirks.announcesRefreshTokenLifetime = false
            quirks.expiredRefreshTokenDescription =
                "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on "
                + "2026-09-01T00:00:00Z and was inactive for 90.00:00:00.\r\nTrace ID: 0000\r\nCorrelation ID: 0000"
        case .okta:
            // https://developer.okta.com/docs/reference/api/oidc/ (custom authorization servers
            // at /oauth2/{id}, metadata appended to the issuer, offline_access for a refresh
            // token, rotation with reuse detection); https://developer.okta.com/docs/reference/error-codes/ (E0000011).
            quirks.issuerPath = "/oauth2/aus-mcp"
            quirks.endpointPrefix = "/oauth2/aus-mcp/v1"
            quirks.metadataLocations = [.appendedOAuth, .appendedOpenID]
            quirks.registration = .refused(
                status: 401,
                body: #"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","#
                    + #""errorId":"oaeEmulated","errorCauses":[]}"#)
            quirks.registrationPath = "/oauth2/v1/clients"
            quirks.refresh = .withScope(["offline_access"])
            quirks.jwtAccessTokens = true
            quirks.introspection = true
            quirks.clientAuthMethods = ["client_secret_basic", "client_secret_post"]
        case .auth0:
            // https://auth0.com/docs/secure/tokens/access-tokens/get-access-tokens (audience, else
            // an opaque token for /userinfo); https://auth0.com/docs/secure/tokens/refresh-tokens
            // (offline_access, rotation with reuse detection); the issuer ends in "/".
            quirks.issuerPath = "/"
            quirks.tokenPath = "/oauth/token"
            quirks.registrationPath = "/oidc/register"
            quirks.registration = .open
            quirks.audienceParameter = true
            quirks.refresh = .withScope(["offline_access"])
            quirks.jwtAccessTokens = true
        case .keycloak:
            // https://www.keycloak.org/securing-apps/oidc-layers (realm endpoints);
            // https://www.keycloak.org/securing-apps/client-registration (Trusted Hosts policy, 403).
            quirks.issuerPath = "/realms/mcp"
            quirks.endpointPrefix = "/realms/mcp/protocol/openid-connect"
            quirks.authorizePath = "/realms/mcp/protocol/openid-connect/auth"
            quirks.metadataLocations = [.appendedOpenID, .appendedOAuth]
            quirks.registrationPath = "/realms/mcp/clients-registrations/openid-connect"
            quirks.registration = .refused(
                status: 403,
                body: #"{"error":"insufficient_scope","error_description":"Policy 'Trusted Hosts' rejected "#
                    + #"request to client-registration service. Details: Host not trusted."}"#)
            quirks.jwtAccessTokens = true
            quirks.introspection = true
            quirks.introspectionPath = "/realms/mcp/protocol/openid-connect/token/introspect"
            quirks.clientAuthMethods = ["client_secret_basic", "client_secret_post"]
        case .github:
            // https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
            // (no DCR, form-encoded answer unless Accept: application/json, OAuth-app tokens
            // without expires_in or refresh token); GitHub-App tokens: ``githubAppTokens``.
            quirks.issuerPath = "/login/oauth"
            quirks.endpointPrefix = "/login/oauth"
            quirks.tokenPath = "/login/oauth/access_token"
            quirks.metadataLocations = [.insertedOAuth]
            quirks.refresh = .never
            quirks.sendsExpiresIn = false
            quirks.tokenResponseFormat = .formUnlessJSONAccepted
            quirks.clientAuthMethods = ["client_secret_post"]
            quirks.rotateRefreshTokens = false
        case .google:
            // https://developers.google.com/identity/protocols/oauth2/native-app (access_type=offline,
            // prompt=consent; refresh tokens do not rotate); offline_access is not a Google scope.
            quirks.authorizePath = "/o/oauth2/v2/auth"
            quirks.refresh = .accessTypeOffline
            quirks.invalidScopes = ["offline_access"]
            quirks.rotateRefreshTokens = false
        case .salesforce:
            // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
            // (no expires_in; issued_at in ms, instance_url, id, signature; refresh_token scope);
            // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_token_introspection.htm.
            quirks.endpointPrefix = "/services/oauth2"
            quirks.refresh = .withScope(["refresh_token", "offline_access"])
            quirks.sendsExpiresIn = false
            quirks.salesforceFields = true
            quirks.introspection = true
            quirks.rotateRefreshTokens = false
            // https://help.salesforce.com/s/articleView?id=sf.connected_app_manage_oauth.htm
            // (refresh token policy: valid until revoked, or expires after a period the org sets).
            quirks.announcesRefreshTokenLifetime = false
            quirks.expiredRefreshTokenDescription = "expired access/refresh token"
        }
        return quirks
    }
}

/// How one emulated provider behaves. Paths are relative to the provider's origin.
public struct ProviderQuirks: Sendable {
    /// Where the provider publishes its metadata document.
    public enum MetadataLocation: Sendable, Equatable {
        /// RFC 8414 §3.1: `/.well-known/oauth-authorization-server` + issuer path.
        case insertedOAuth
        /// Issuer + `/.well-known/oauth-authorization-server` (Okta, Keycloak).
        case appendedOAuth
        /// OpenID Connect Discovery §4: issuer + `/.well-known/openid-configuration`.
        case appendedOpenID
    }

    /// Dynamic client registration (RFC 7591).
    public enum Registration: Sendable {
        /// Anyone may register.
        case open
        /// No registration endpoint in the metadata.
        case absent
        /// Advertised, but every request gets this status and JSON body (text).
        case refused(status: Int, body: String)
    }

    /// What the authorization and token endpoints do with RFC 8707 `resource`.
    public enum ResourceParameter: Sendable, Equatable {
        /// Must name the protected MCP server (`invalid_target` otherwise).
        case checked
        /// Ignored (Auth0, Google, GitHub, Keycloak, Salesforce, Okta).
        case ignored
        /// Entra v2: `resource` together with `scope` is AADSTS9010010 `invalid_target`.
        case refusedWithScope
    }

    /// When a refresh token is issued.
    public enum RefreshPolicy: Sendable, Equatable {
        case always
        /// Only when one of these scopes is granted.
        case withScope([String])
        /// Only with `access_type=offline` on the authorization request (Google).
        case accessTypeOffline
        case never
    }

    /// The token endpoint's answer body.
    public enum TokenResponseFormat: Sendable, Equatable {
        case json
        /// `application/x-www-form-urlencoded` unless the request accepts `application/json`.
        case formUnlessJSONAccepted
        /// Always form-encoded, whatever the request accepts.
        case form
    }

    public let profile: ProviderProfile
    /// The issuer is the origin followed by this ("/" for Auth0's trailing slash).
    public var issuerPath = ""
    /// Where `/authorize`, `/token`, `/revoke` and `/introspect` live unless set one by one.
    public var endpointPrefix = ""
    public var authorizePath: String?
    public var tokenPath: String?
    public var registrationPath: String?
    public var introspectionPath: String?
    public var metadataLocations: [MetadataLocation] = [.appendedOpenID]
    /// `code_challenge_methods_supported: ["S256"]` in the metadata (Entra leaves it out).
    public var advertisesS256 = true
    public var registration = Registration.absent
    public var resourceParameter = ResourceParameter.ignored
    /// Entra: a `…/.default` scope cannot be mixed with other resource scopes (AADSTS70011).
    public var defaultScopeRule = false
    /// Auth0: `audience` on the authorization request picks the API; without it the access
    /// token is opaque and not for the MCP server ("Invalid audience").
    public var audienceParameter = false
    public var refresh = RefreshPolicy.always
    /// Scopes refused with `invalid_scope` (Google: `offline_access`).
    public var invalidScopes: [String] = []
    public var rotateRefreshTokens = true
    /// `expires_in` in token responses (GitHub OAuth apps and Salesforce leave it out).
    public var sendsExpiresIn = true
    /// `refresh_token_expires_in` in token responses when refresh tokens expire
    /// (``DemoOAuthOptions/refreshTokenLifetime``). Entra's rolling window (90 days of
    /// inactivity, each refresh token with a new one) and Salesforce's org policy are not said.
    public var announcesRefreshTokenLifetime = true
    /// The `error_description` of `invalid_grant` for an expired refresh token.
    public var expiredRefreshTokenDescription = "the refresh token expired"
    /// GitHub Apps: 8 h access tokens with a rotating refresh token and
    /// `refresh_token_expires_in` (https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens).
    public var githubAppTokens = false
    public var tokenResponseFormat = TokenResponseFormat.json
    /// Salesforce's `issued_at` (ms), `instance_url`, `id` and `signature` in token responses.
    public var salesforceFields = false
    /// Access tokens are JWTs (`iss`, `sub`, `aud`, `exp`, `scp`), else opaque.
    public var jwtAccessTokens = false
    /// RFC 7662 introspection for the client, with `introspection_endpoint` in the metadata.
    public var introspection = false
    /// RFC 8628 device authorization (every provider here offers it), at ``deviceRoute``.
    public var deviceAuthorization = true
    /// `token_endpoint_auth_methods_supported` for hand-registered confidential clients.
    public var clientAuthMethods = ["client_secret_basic", "client_secret_post"]

    init(profile: ProviderProfile) {
        self.profile = profile
    }

    var authorizeRoute: String { authorizePath ?? endpointPrefix + "/authorize" }
    var tokenRoute: String { tokenPath ?? endpointPrefix + "/token" }
    var revokeRoute: String { endpointPrefix + "/revoke" }
    var introspectRoute: String { introspectionPath ?? endpointPrefix + "/introspect" }
    var registerRoute: String { registrationPath ?? endpointPrefix + "/register" }
    var deviceRoute: String { endpointPrefix + "/device/code" }

    /// GitHub-App tokens rotate whatever ``rotateRefreshTokens`` says.
    var rotatesRefreshTokens: Bool { rotateRefreshTokens || githubAppTokens }

    /// Whether a grant with these scopes and authorization parameters gets a refresh token.
    func issuesRefreshToken(scopes: [String], accessType: String?) -> Bool {
        switch refresh {
        case .always: return true
        case .never: return githubAppTokens
        case .withScope(let needed): return scopes.contains { needed.contains($0) }
        case .accessTypeOffline: return accessType == "offline"
        }
    }
}
