import Crypto
import Foundation
import Hummingbird
import Support

/// A token request refused before any grant is looked at (client authentication).
struct ClientRefusal: Error {
    let outcome: TokenOutcome
}

/// What a grant (an authorization code, an approved device code) is for.
struct Issue {
    var clientID: String
    var scopes: [String]
    var audience: String
    var offline: Bool
}

extension DemoServer.State {
    /// A new grant and its first tokens, as the provider shapes them (with an ID token when
    /// `openid` was granted, OpenID Connect Core §3.1.3.3).
    mutating func issueTokens(_ issue: Issue, oauth: DemoOAuthOptions, issuer: String, origin: String, now: Date)
        -> (grant: Int, body: JSONValue)
    {
        let grant = auth.newGrant(clientID: issue.clientID, scopes: issue.scopes, audience: issue.audience)
        let access = auth.newAccessToken(
            grant: grant, scopes: issue.scopes, parent: nil, lifetime: oauth.accessTokenLifetime, now: now,
            jwtIssuer: DemoServer.jwtIssuer(issuer, oauth: oauth, audience: issue.audience))
        let refresh =
            issue.offline
            ? auth.newRefreshToken(grant: grant, parent: nil, lifetime: oauth.refreshTokenLifetime, now: now) : nil
        stats.tokensIssued += 1
        var body = DemoServer.tokenBody(
            access: access, scopes: issue.scopes, refresh: refresh,
            refreshExpiresIn: refresh == nil ? nil : oauth.refreshTokenLifetime, oauth: oauth)
        DemoServer.shapeTokenBody(&body, oauth: oauth, origin: origin, now: now)
        if oauth.provider != nil, issue.scopes.contains("openid"), case .object(var fields) = body {
            fields["id_token"] = .string(
                DemoServer.jwt(
                    issuer: issuer, audience: issue.clientID, scopes: [], issuedAt: now,
                    expiresAt: now.addingTimeInterval(3600), type: "JWT"))
            body = .object(fields)
        }
        return (grant, body)
    }
}

/// The authorization server as an emulated identity provider (``DemoOAuthOptions/provider``):
/// the provider's paths and metadata, hand-registered confidential clients, its refusals and
/// the shape of its token responses.
extension DemoServer {
    func addProviderRoutes(_ quirks: ProviderQuirks, to router: Router<BasicRequestContext>) {
        let issuerPath = quirks.issuerPath.hasSuffix("/") ? String(quirks.issuerPath.dropLast()) : quirks.issuerPath
        for location in quirks.metadataLocations {
            let path: String
            switch location {
            case .insertedOAuth: path = "/.well-known/oauth-authorization-server" + issuerPath
            case .appendedOAuth: path = issuerPath + "/.well-known/oauth-authorization-server"
            case .appendedOpenID: path = issuerPath + "/.well-known/openid-configuration"
            }
            router.get(RouterPath(path)) { _, _ in self.providerMetadata() }
        }
        router.get(RouterPath(quirks.authorizeRoute)) { request, _ in self.authorize(request) }
        router.post(RouterPath(quirks.tokenRoute)) { request, _ in await self.token(request) }
        router.post(RouterPath(quirks.revokeRoute)) { request, _ in await self.revoke(request) }
        if quirks.introspection {
            router.post(RouterPath(quirks.introspectRoute)) { request, _ in await self.introspect(request) }
        }
        if quirks.deviceAuthorization {
            router.post(RouterPath(quirks.deviceRoute)) { request, _ in await self.deviceAuthorization(request) }
            router.get("device") { request, _ in self.approveDevice(request) }
        }
        switch quirks.registration {
        case .open:
            router.post(RouterPath(quirks.registerRoute)) { request, _ in await self.register(request) }
        case .refused(let status, let body):
            router.post(RouterPath(quirks.registerRoute)) { _, _ in
                Reply.text(HTTPResponse.Status(code: status), body, type: Reply.jsonType)
            }
        case .absent:
            break
        }
    }

    /// RFC 8414 / OpenID Connect Discovery metadata as the provider publishes it.
    func providerMetadata() -> Response {
        guard let oauth = options.oauth, let quirks = oauth.provider else { return Reply.text(.notFound, "Not Found") }
        let origin = self.origin
        var document: [String: JSONValue] = [
            "issuer": .string(issuer),
            "authorization_endpoint": .string(origin + quirks.authorizeRoute),
            "token_endpoint": .string(origin + quirks.tokenRoute),
            "revocation_endpoint": .string(origin + quirks.revokeRoute),
            "scopes_supported": .array(oauth.scopesSupported.map { .string($0) }),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "jwks_uri": .string(origin + quirks.endpointPrefix + "/keys"),
        ]
        var methods = quirks.clientAuthMethods.map { JSONValue.string($0) }
        if case .absent = quirks.registration {
        } else {
            document["registration_endpoint"] = .string(origin + quirks.registerRoute)
            methods.append("none")
        }
        document["token_endpoint_auth_methods_supported"] = .array(methods)
        if quirks.advertisesS256 { document["code_challenge_methods_supported"] = ["S256"] }
        if quirks.introspection { document["introspection_endpoint"] = .string(origin + quirks.introspectRoute) }
        if quirks.deviceAuthorization {
            document["device_authorization_endpoint"] = .string(origin + quirks.deviceRoute)
            document["grant_types_supported"] = ["authorization_code", "refresh_token", .string(Self.deviceCodeGrant)]
        }
        if oauth.includeIss { document["authorization_response_iss_parameter_supported"] = true }
        return Reply.json(.ok, .object(document), headers: Self.noStore)
    }

    /// A client registered by hand in the provider's console: a confidential one with `secret`,
    /// else a public one. Its loopback redirect URIs match on any port (RFC 8252 §7.3).
    public func registerClient(id: String, secret: String?, redirectURIs: [String] = ["http://127.0.0.1/callback"]) {
        state.withLock { state in
            state.auth.clients[id] = AuthorizationState.Client(
                redirectURIs: redirectURIs, secret: secret, handRegistered: true)
        }
    }

    /// RFC 6749 §2.3.1: `client_secret_basic` (form-encoded id and secret in Basic) or
    /// `client_secret_post`, as the provider allows; a public client names itself in the form.
    func authenticateClient(_ headers: HTTPFields, _ form: [String: String], oauth: DemoOAuthOptions)
        -> Result<String, ClientRefusal>
    {
        func refuse(_ description: String) -> Result<String, ClientRefusal> {
            .failure(
                ClientRefusal(outcome: .failure(.unauthorized, error: "invalid_client", description: description)))
        }
        var presented: (id: String, secret: String?, method: String)?
        if let header = headers[.authorization], header.lowercased().hasPrefix("basic ") {
            guard let data = Data(base64Encoded: String(header.dropFirst(6))),
                let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
            else { return refuse("malformed Basic credentials") }
            let id = FormData.decode("i=" + text[..<colon]).first?.1 ?? ""
            let secret = FormData.decode("s=" + text[text.index(after: colon)...]).first?.1 ?? ""
            presented = (id, secret, "client_secret_basic")
        } else if let id = form["client_id"] {
            presented = (id, form["client_secret"], form["client_secret"] == nil ? "none" : "client_secret_post")
        }
        guard let presented else { return .failure(ClientRefusal(outcome: .invalidRequest("client_id is required"))) }
        guard let client = state.withLock({ $0.auth.clients[presented.id] }) else {
            return refuse("unknown client_id")
        }
        guard let secret = client.secret else { return .success(presented.id) }
        let allowed = oauth.provider?.clientAuthMethods ?? ["client_secret_basic", "client_secret_post"]
        guard allowed.contains(presented.method) else {
            return refuse(
                "this client authenticates with \(allowed.joined(separator: " or ")), not \(presented.method)")
        }
        guard presented.secret == secret else { return refuse("wrong client secret") }
        return .success(presented.id)
    }

    /// What the provider does with RFC 8707 `resource` (and Entra with `resource` + `scope`):
    /// the error to answer, or nil to go on.
    func resourceRefusal(_ resource: String?, scope: String?, oauth: DemoOAuthOptions)
        -> (error: String, description: String)?
    {
        guard let resource else { return nil }
        switch oauth.provider?.resourceParameter ?? .checked {
        case .ignored:
            return nil
        case .checked:
            let expected = protectedResource
            return Self.sameResource(resource, expected) ? nil : ("invalid_target", "resource must be \(expected)")
        case .refusedWithScope:
            guard let scope, !scope.isEmpty else { return nil }
            // As Entra sends it: trace lines separated by CR LF.
            return (
                "invalid_target",
                "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested "
                    + "scopes.\r\nTrace ID: 0f0e0d0c-0000-4000-8000-000000000000\r\nCorrelation ID: "
                    + "1a2b3c4d-0000-4000-8000-000000000000\r\nTimestamp: 2026-01-01 00:00:00Z"
            )
        }
    }

    /// `invalid_scope` descriptions for scopes the provider refuses; nil when all are fine.
    static func scopeRefusal(_ scopes: [String], oauth: DemoOAuthOptions) -> String? {
        let quirks = oauth.provider
        if let refused = scopes.first(where: { quirks?.invalidScopes.contains($0) == true }) {
            return "Some requested scopes were invalid. {invalid=[\(refused)]}"
        }
        if let unknown = scopes.first(where: { !oauth.scopesSupported.contains($0) }) {
            return "unknown scope \(unknown)"
        }
        if quirks?.defaultScopeRule == true, scopes.contains(where: { $0.hasSuffix("/.default") }) {
            let others = scopes.filter { !$0.hasSuffix("/.default") && !Self.entraOIDCScopes.contains($0) }
            if !others.isEmpty {
                return "AADSTS70011: The provided value for the input parameter 'scope' is not valid. "
                    + "The scope \(scopes.joined(separator: " ")) is not valid. .default scope can't be combined "
                    + "with resource-specific scopes."
            }
        }
        return nil
    }

    /// Scopes Entra lets a `/.default` scope come with.
    static let entraOIDCScopes: Set<String> = ["offline_access", "openid", "profile", "email"]

    /// A redirect URI the client registered; for a hand-registered client a loopback URI
    /// matches on any port (RFC 8252 §7.3).
    static func registered(_ uri: String, for client: AuthorizationState.Client) -> Bool {
        if client.redirectURIs.contains(uri) { return true }
        guard client.handRegistered, isLoopbackRedirect(uri), var given = URLComponents(string: uri) else {
            return false
        }
        given.port = nil
        return client.redirectURIs.contains { given.string == $0 }
    }

    /// The issuer to put in a JWT access token, or nil for an opaque one (providers that issue
    /// opaque tokens; Auth0 without an API `audience`).
    static func jwtIssuer(_ issuer: String, oauth: DemoOAuthOptions, audience: String) -> String? {
        guard let quirks = oauth.provider, quirks.jwtAccessTokens else { return nil }
        if quirks.audienceParameter, audience == issuer + "userinfo" { return nil }
        return issuer
    }

    /// Signs each JWT; resource servers of this process look tokens up rather than verify.
    static let signingKeyBytes: [UInt8] = (0..<32).map { _ in UInt8.random(in: .min ... .max) }

    static var signingKey: SymmetricKey { SymmetricKey(data: signingKeyBytes) }

    /// An RFC 9068 JWT access token (HS256).
    static func jwt(
        issuer: String, audience: String, scopes: [String], issuedAt: Date, expiresAt: Date, type: String = "at+jwt"
    ) -> String {
        let header: JSONValue = ["alg": "HS256", "typ": .string(type)]
        let claims: JSONValue = [
            "iss": .string(issuer), "sub": "user-0001", "aud": .string(audience),
            "email": "user@example.com", "tid": "tenant-0000",
            "iat": .int(Int(issuedAt.timeIntervalSince1970)), "exp": .int(Int(expiresAt.timeIntervalSince1970)),
            "scp": .string(scopes.joined(separator: " ")), "jti": .string(randomToken("jti")),
        ]
        let input =
            Base64URL.encode(Data(header.serialized().utf8)) + "." + Base64URL.encode(Data(claims.serialized().utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: signingKey)
        return input + "." + Base64URL.encode(Data(signature))
    }

    /// The provider's own fields and omissions in a token response.
    static func shapeTokenBody(_ body: inout JSONValue, oauth: DemoOAuthOptions, origin: String, now: Date) {
        guard let quirks = oauth.provider, case .object(var fields) = body else { return }
        if !quirks.sendsExpiresIn && !quirks.githubAppTokens {
            fields["expires_in"] = nil
        }
        if !quirks.announcesRefreshTokenLifetime {
            fields["refresh_token_expires_in"] = nil
        }
        if quirks.salesforceFields {
            let issuedAt = String(Int(now.timeIntervalSince1970 * 1000))
            let id = origin + "/id/00D000000000001EAA/005000000000001AAA"
            let signature = HMAC<SHA256>.authenticationCode(for: Data((id + issuedAt).utf8), using: signingKey)
            fields["issued_at"] = .string(issuedAt)
            fields["instance_url"] = .string(origin)
            fields["id"] = .string(id)
            fields["signature"] = .string(Data(signature).base64EncodedString())
        }
        body = .object(fields)
    }

    /// A client's request to the token, device authorization or introspection endpoint.
    struct ClientRequest {
        var oauth: DemoOAuthOptions
        var form: [String: String]
        var clientID: String
    }

    /// The form and the authenticated client, or the answer to send instead.
    func clientRequest(_ request: Request) async -> Result<ClientRequest, ResponseError> {
        guard let oauth = options.oauth else { return .failure(ResponseError(Reply.text(.notFound, "Not Found"))) }
        let form: [String: String]
        switch await readForm(request) {
        case .failure(let error): return .failure(error)
        case .success(let parsed): form = parsed
        }
        switch authenticateClient(request.headers, form, oauth: oauth) {
        case .failure(let refusal): return .failure(ResponseError(tokenResponse(refusal.outcome, request: request)))
        case .success(let id): return .success(ClientRequest(oauth: oauth, form: form, clientID: id))
        }
    }

    /// RFC 7662: what the provider knows of a token, for an authenticated client.
    func introspect(_ request: Request) async -> Response {
        let form: [String: String]
        switch await clientRequest(request) {
        case .failure(let error): return error.response
        case .success(let client): form = client.form
        }
        guard let token = form["token"] else { return tokenResponse(.invalidRequest("token is required")) }
        let issuer = self.issuer
        let now = Date()
        let answer: JSONValue = state.withLock { state in
            guard let record = state.auth.accessTokens[token], now < record.expiresAt,
                let grant = state.auth.grants[record.grant]
            else { return ["active": false] }
            return [
                "active": true, "scope": .string(record.scopes.joined(separator: " ")),
                "client_id": .string(grant.clientID), "token_type": "access_token",
                "exp": .int(Int(record.expiresAt.timeIntervalSince1970)),
                "iat": .int(Int(record.issuedAt.timeIntervalSince1970)), "sub": "user-0001",
                "iss": .string(issuer),
            ]
        }
        return Reply.json(.ok, answer, headers: Self.noStore)
    }
}
