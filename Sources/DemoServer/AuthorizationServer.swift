import Crypto
import Foundation
import Hummingbird
import Support

/// What the embedded authorization server remembers (see ``DemoOAuthOptions``). It lives in
/// ``DemoServer/State`` and is only touched under its lock. It holds secrets: never print it.
struct AuthorizationState: Sendable {
    struct Client: Sendable {
        var redirectURIs: [String]
        /// A confidential client's secret (hand-registered, ``DemoServer/registerClient``).
        var secret: String? = nil
        /// Registered by hand: a loopback redirect URI matches on any port (RFC 8252 §7.3).
        var handRegistered = false
    }

    struct Code: Sendable {
        var clientID: String
        /// The authorization request's `redirect_uri`; nil when it was left out (one registered).
        var redirectURI: String?
        var challenge: String
        var scopes: [String]
        var expiresAt: Date
        /// Auth0's `audience`, else the protected resource.
        var audience: String
        /// A refresh token comes with the tokens (``ProviderQuirks/issuesRefreshToken``).
        var offline = true
        /// The grant the code was exchanged for: a second exchange revokes it (RFC 6749 §4.1.2).
        var grant: Int?
    }

    /// One authorization (the family of tokens descending from one code).
    struct Grant: Sendable {
        var clientID: String
        var scopes: [String]
        var audience: String
    }

    struct AccessToken: Sendable {
        var grant: Int
        var scopes: [String]
        var expiresAt: Date
        var issuedAt: Date
        /// Who the token is for: the resource server checks it is itself.
        var audience: String
        /// The refresh token it was issued from, when that one was rotated.
        var parent: String?
        var used = false
    }

    struct RefreshToken: Sendable {
        enum Status: Sendable, Equatable {
            /// The grant's current refresh token.
            case active
            /// Rotated, but valid until one of its successors (the access and refresh token
            /// issued from it) is used: the client may have died before saving them.
            case graced(successors: [String])
            /// Presenting it is reuse: the grant is revoked.
            case dead
        }

        var grant: Int
        var expiresAt: Date?
        /// The refresh token it replaced.
        var parent: String?
        var status: Status = .active
    }

    /// What a bearer token presented to the MCP endpoints turned out to be.
    enum AccessVerdict: Sendable, Equatable {
        case valid
        case expired
        /// Never issued, or revoked.
        case unknown
    }

    var clients: [String: Client] = [:]
    var codes: [String: Code] = [:]
    var grants: [Int: Grant] = [:]
    var accessTokens: [String: AccessToken] = [:]
    var refreshTokens: [String: RefreshToken] = [:]
    var deviceCodes: [String: DeviceCode] = [:]
    var nextGrant = 1

    static let codeLifetime: TimeInterval = 60

    /// Checks an access token at `now` (to the sub-second) and records its first use.
    mutating func useAccessToken(_ token: String, now: Date) -> AccessVerdict {
        guard let record = accessTokens[token], grants[record.grant] != nil else { return .unknown }
        guard now < record.expiresAt else { return .expired }
        if !record.used {
            accessTokens[token]?.used = true
            successorUsed(parent: record.parent)
        }
        return .valid
    }

    /// A token issued from `parent` was used: the rotated parent's grace is over.
    mutating func successorUsed(parent: String?) {
        guard let parent, case .graced? = refreshTokens[parent]?.status else { return }
        refreshTokens[parent]?.status = .dead
    }

    /// Drops the never-used successors of a refresh token presented again during its grace.
    mutating func discard(_ tokens: [String]) {
        for token in tokens {
            accessTokens[token] = nil
            if refreshTokens[token] != nil {
                refreshTokens[token]?.status = .dead
            }
        }
    }

    mutating func newGrant(clientID: String, scopes: [String], audience: String) -> Int {
        let id = nextGrant
        nextGrant += 1
        grants[id] = Grant(clientID: clientID, scopes: scopes, audience: audience)
        return id
    }

    /// Forgets a grant and every token descending from it.
    mutating func revoke(grant: Int) {
        grants[grant] = nil
        accessTokens = accessTokens.filter { $0.value.grant != grant }
        refreshTokens = refreshTokens.filter { $0.value.grant != grant }
        for (code, record) in codes where record.grant == grant {
            codes[code] = nil
        }
    }

    /// Forgets every code, grant and token; registered clients stay.
    mutating func forgetGrants() {
        codes.removeAll()
        grants.removeAll()
        accessTokens.removeAll()
        refreshTokens.removeAll()
    }

    /// A new access token: `format` makes it a JWT with these claims (``DemoServer/jwt``),
    /// else it is opaque.
    mutating func newAccessToken(
        grant: Int, scopes: [String], parent: String?, lifetime: Double, now: Date, jwtIssuer: String? = nil
    ) -> String {
        if accessTokens.count > 10_000 {
            // Long expired tokens are forgotten (they then count as unknown, not expired).
            let horizon = now.addingTimeInterval(-600)
            accessTokens = accessTokens.filter { $0.value.expiresAt > horizon }
        }
        let audience = grants[grant]?.audience ?? ""
        let expiresAt = now.addingTimeInterval(lifetime)
        let token =
            jwtIssuer.map {
                DemoServer.jwt(issuer: $0, audience: audience, scopes: scopes, issuedAt: now, expiresAt: expiresAt)
            } ?? DemoServer.randomToken("at")
        accessTokens[token] = AccessToken(
            grant: grant, scopes: scopes, expiresAt: expiresAt, issuedAt: now, audience: audience, parent: parent)
        return token
    }

    mutating func newRefreshToken(grant: Int, parent: String?, lifetime: Double?, now: Date) -> String {
        let token = DemoServer.randomToken("rt")
        refreshTokens[token] = RefreshToken(
            grant: grant, expiresAt: lifetime.map { now.addingTimeInterval($0) }, parent: parent)
        return token
    }

    mutating func pruneCodes(now: Date) {
        codes = codes.filter { $0.value.expiresAt > now }
    }
}

/// The outcome of a token request, decided under the lock and sent afterwards.
enum TokenOutcome: Sendable {
    case tokens(JSONValue)
    case failure(HTTPResponse.Status, error: String, description: String)
    /// An HTML error page with this status, not an OAuth error (a server or proxy failing).
    case page(HTTPResponse.Status)

    static func invalidGrant(_ description: String) -> TokenOutcome {
        .failure(.badRequest, error: "invalid_grant", description: description)
    }

    static func invalidRequest(_ description: String) -> TokenOutcome {
        .failure(.badRequest, error: "invalid_request", description: description)
    }

    /// What a refresh gets while ``DemoOAuthOptions/refreshFault`` is on.
    static func refusal(_ fault: RefreshFault) -> TokenOutcome {
        let why = "the token endpoint is failing on purpose (\(fault.rawValue))"
        switch fault {
        case .invalidGrant: return .invalidGrant("refresh tokens are refused (\(fault.rawValue))")
        case .invalidClient: return .failure(.unauthorized, error: "invalid_client", description: why)
        case .temporarilyUnavailable:
            return .failure(.serviceUnavailable, error: "temporarily_unavailable", description: why)
        case .serverError: return .page(.internalServerError)
        case .badGateway: return .page(.badGateway)
        }
    }
}

extension DemoServer {
    // MARK: Routes and URLs

    func addAuthorizationRoutes(to router: Router<BasicRequestContext>) {
        router.get(".well-known/oauth-protected-resource/mcp") { _, _ in self.protectedResourceMetadata() }
        router.get(".well-known/oauth-protected-resource") { _, _ in self.protectedResourceMetadata() }
        let oauth = options.oauth
        // A resource server of another authorization server has no endpoints of its own.
        if oauth?.authorizationServer != nil { return }
        if let quirks = oauth?.provider {
            addProviderRoutes(quirks, to: router)
            return
        }
        router.get(".well-known/oauth-authorization-server") { _, _ in self.authorizationServerMetadata() }
        router.post("register") { request, _ in await self.register(request) }
        router.get("authorize") { request, _ in self.authorize(request) }
        router.post("token") { request, _ in await self.token(request) }
        router.post("revoke") { request, _ in await self.revoke(request) }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    var origin: String {
        state.withLock { $0.options.oauth?.publicOrigin ?? "http://127.0.0.1:\($0.port)" }
    }

    /// The origin, followed by the emulated provider's issuer path.
    public var issuer: String {
        origin + (options.oauth?.provider?.issuerPath ?? "")
    }

    /// The resource the tokens are for: another server's MCP endpoint, else this one's.
    var protectedResource: String {
        options.oauth?.resourceURL ?? url
    }

    var resourceMetadataURL: String {
        origin + "/.well-known/oauth-protected-resource/mcp"
    }

    /// Forgets every token and grant, as if the authorization server revoked everything.
    /// Registered clients are kept.
    public func revokeAll() {
        state.withLock { $0.auth.forgetGrants() }
    }

    // MARK: Protecting the MCP endpoints

    /// Scopes that tools need beyond a valid token.
    static let requiredScopes = ["admin": "admin"]

    /// The access token of an `Authorization: Bearer` header (lower-cased header names).
    static func bearerToken(_ headers: [String: String]) -> String? {
        guard let value = headers["authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// The 401 for a request to /mcp, /sse or /messages without a valid access token; nil to
    /// let it through.
    func oauthUnauthorized(_ headers: [String: String], oauth: DemoOAuthOptions) -> Response? {
        let token = Self.bearerToken(headers)
        let now = Date()
        let ours = url
        var wrongAudience = false
        let checked = token.map { token in
            authority(oauth).state.withLock { state -> AuthorizationState.AccessVerdict in
                guard let record = state.auth.accessTokens[token] else { return .unknown }
                // RFC 9068 §4 / RFC 8707: a token for another audience is not for us.
                guard Self.sameResource(record.audience, ours) else {
                    wrongAudience = true
                    return .unknown
                }
                return state.auth.useAccessToken(token, now: now)
            }
        }
        let verdict: AuthorizationState.AccessVerdict? = state.withLock { state in
            guard let verdict = checked else { return nil }
            switch verdict {
            case .valid: break
            case .expired: state.stats.expiredTokenRequests += 1
            case .unknown: state.stats.unknownTokenRequests += 1
            }
            return verdict
        }
        if verdict == .valid { return nil }
        var challenge = "Bearer resource_metadata=\"\(resourceMetadataURL)\""
        if !oauth.defaultScopes.isEmpty {
            challenge += ", scope=\"\(oauth.defaultScopes.joined(separator: " "))\""
        }
        let text: String
        switch verdict {
        case nil:
            text = "Unauthorized: an access token is required"
        case .expired?:
            challenge += ", error=\"invalid_token\""
            text = "Unauthorized: the access token expired"
        case .unknown?, .valid?:
            challenge += ", error=\"invalid_token\""
            text = wrongAudience ? "Unauthorized: Invalid audience" : "Unauthorized: unknown or revoked access token"
        }
        return Reply.text(.unauthorized, text, headers: [.wwwAuthenticate: challenge])
    }

    /// The server that issues and knows the tokens: another one, or this one.
    func authority(_ oauth: DemoOAuthOptions) -> DemoServer {
        oauth.authorizationServer ?? self
    }

    /// The 403 for a `tools/call` of a tool whose scope the access token lacks; nil when the
    /// call may go on (or OAuth is off).
    func insufficientScope(
        _ message: RPCMessage, headers: [String: String], options: DemoServerOptions
    ) -> Response? {
        guard let oauth = options.oauth, message.method == "tools/call",
            let tool = message.params["name"]?.stringValue, let needed = Self.requiredScopes[tool]
        else { return nil }
        let token = Self.bearerToken(headers)
        let scopes = authority(oauth).state.withLock { state in
            token.flatMap { state.auth.accessTokens[$0]?.scopes } ?? []
        }
        if scopes.contains(needed) { return nil }
        var required = oauth.defaultScopes
        if !required.contains(needed) { required.append(needed) }
        let challenge =
            "Bearer error=\"insufficient_scope\", scope=\"\(required.joined(separator: " "))\", "
            + "resource_metadata=\"\(resourceMetadataURL)\""
        return Reply.json(
            .forbidden,
            rpcError(
                id: message.id, code: ErrorCode.invalidRequest,
                message: "Forbidden: the \(tool) tool needs the \(needed) scope"),
            headers: [.wwwAuthenticate: challenge])
    }

    // MARK: Metadata

    static let noStore: HTTPFields = [.cacheControl: "no-store"]

    /// RFC 9728, served at the path-aware and at the root well-known URL.
    func protectedResourceMetadata() -> Response {
        guard let oauth = options.oauth else { return Reply.text(.notFound, "Not Found") }
        let scopes = oauth.scopesSupported.filter { $0 != "offline_access" }
        return Reply.json(
            .ok,
            [
                "resource": .string(url),
                "authorization_servers": [.string(authority(oauth).issuer)],
                "scopes_supported": .array(scopes.map { .string($0) }),
                "bearer_methods_supported": ["header"],
            ])
    }

    /// RFC 8414.
    func authorizationServerMetadata() -> Response {
        guard let oauth = options.oauth else { return Reply.text(.notFound, "Not Found") }
        let issuer = self.issuer
        return Reply.json(
            .ok,
            [
                "issuer": .string(issuer),
                "authorization_endpoint": .string(issuer + "/authorize"),
                "token_endpoint": .string(issuer + "/token"),
                "registration_endpoint": .string(issuer + "/register"),
                "revocation_endpoint": .string(issuer + "/revoke"),
                "scopes_supported": .array(oauth.scopesSupported.map { .string($0) }),
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_methods_supported": ["none"],
                "revocation_endpoint_auth_methods_supported": ["none"],
                "code_challenge_methods_supported": ["S256"],
                "authorization_response_iss_parameter_supported": .bool(oauth.includeIss),
            ])
    }

    // MARK: Registration (RFC 7591)

    static let grantTypes = ["authorization_code", "refresh_token"]

    func register(_ request: Request) async -> Response {
        guard let oauth = options.oauth else { return Reply.text(.notFound, "Not Found") }
        func refuse(_ error: String, _ description: String) -> Response {
            Reply.json(
                .badRequest, ["error": .string(error), "error_description": .string(description)],
                headers: Self.noStore)
        }
        var request = request
        guard let body = try? await request.collectBody(upTo: 64 * 1024),
            let json = try? JSONValue.parse(Data(body.readableBytesView)), case .object(var metadata) = json
        else {
            return refuse("invalid_client_metadata", "the body must be a JSON object")
        }
        guard case .array(let list)? = metadata["redirect_uris"], !list.isEmpty else {
            return refuse("invalid_redirect_uri", "redirect_uris is required")
        }
        var redirectURIs: [String] = []
        for item in list {
            guard let uri = item.stringValue, Self.isLoopbackRedirect(uri) else {
                return refuse(
                    "invalid_redirect_uri",
                    "redirect URIs must be http://127.0.0.1:PORT/… or http://localhost:PORT/…")
            }
            redirectURIs.append(uri)
        }
        if let method = metadata["token_endpoint_auth_method"], method != "none" {
            return refuse(
                "invalid_client_metadata", "only public clients are supported (token_endpoint_auth_method none)")
        }
        for (field, allowed) in [("grant_types", Self.grantTypes), ("response_types", ["code"])] {
            guard let value = metadata[field] else { continue }
            guard case .array(let items) = value,
                items.allSatisfy({ $0.stringValue.map(allowed.contains) ?? false })
            else {
                return refuse(
                    "invalid_client_metadata", "\(field) may only hold \(allowed.joined(separator: ", "))")
            }
        }
        if let scope = metadata["scope"] {
            guard let text = scope.stringValue,
                text.split(separator: " ").allSatisfy({ oauth.scopesSupported.contains(String($0)) })
            else {
                return refuse("invalid_client_metadata", "scope holds a scope this server does not know")
            }
        }
        let clientID = Self.randomToken("client")
        metadata.removeValue(forKey: "client_secret")
        metadata.removeValue(forKey: "client_secret_expires_at")
        metadata["client_id"] = .string(clientID)
        metadata["client_id_issued_at"] = .int(Int(Date().timeIntervalSince1970))
        metadata["token_endpoint_auth_method"] = "none"
        if metadata["grant_types"] == nil {
            metadata["grant_types"] = .array(Self.grantTypes.map { .string($0) })
        }
        if metadata["response_types"] == nil {
            metadata["response_types"] = ["code"]
        }
        state.withLock { state in
            state.auth.clients[clientID] = AuthorizationState.Client(redirectURIs: redirectURIs)
            state.stats.registrations += 1
        }
        return Reply.json(.created, .object(metadata), headers: Self.noStore)
    }

    /// `http` on a loopback host with an explicit port (RFC 8252 §7.3), no fragment.
    static func isLoopbackRedirect(_ uri: String) -> Bool {
        guard let components = URLComponents(string: uri), components.scheme?.lowercased() == "http",
            let host = components.host?.lowercased(), components.port != nil, components.fragment == nil,
            components.user == nil, components.password == nil
        else { return false }
        return ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
    }

    // MARK: Authorization endpoint

    /// Auto-approves: checks the request and redirects with a code, or with an error once the
    /// redirect URI is known to be the client's.
    func authorize(_ request: Request) -> Response {
        guard let oauth = options.oauth else { return Reply.text(.notFound, "Not Found") }
        let pairs = FormData.decode(request.uri.query ?? "")
        var params: [String: String] = [:]
        var repeated: Set<String> = []
        for (name, value) in pairs {
            if params[name] != nil { repeated.insert(name) }
            params[name] = value
        }
        guard let clientID = params["client_id"], !repeated.contains("client_id"),
            let client = state.withLock({ $0.auth.clients[clientID] })
        else {
            return Reply.text(.badRequest, "Bad Request: unknown or missing client_id")
        }
        let redirectURI: String
        if let given = params["redirect_uri"] {
            guard !repeated.contains("redirect_uri"), Self.registered(given, for: client) else {
                return Reply.text(.badRequest, "Bad Request: redirect_uri is not registered for this client")
            }
            redirectURI = given
        } else {
            guard client.redirectURIs.count == 1 else {
                return Reply.text(.badRequest, "Bad Request: redirect_uri is required")
            }
            redirectURI = client.redirectURIs[0]
        }
        let issuer = self.issuer
        let stateValue = repeated.contains("state") ? nil : params["state"]
        func redirect(_ result: [(String, String)]) -> Response {
            var query = result
            if let stateValue { query.append(("state", stateValue)) }
            if oauth.includeIss { query.append(("iss", issuer)) }
            var headers = Self.noStore
            headers[.location] = FormData.url(redirectURI, adding: query)
            return Reply.empty(.found, headers: headers)
        }
        func fail(_ error: String, _ description: String) -> Response {
            redirect([("error", error), ("error_description", description)])
        }
        if let name = repeated.sorted().first {
            return fail("invalid_request", "\(name) is repeated")
        }
        guard let responseType = params["response_type"] else {
            return fail("invalid_request", "response_type is required")
        }
        guard responseType == "code" else {
            return fail("unsupported_response_type", "only response_type=code is supported")
        }
        guard let challenge = params["code_challenge"] else {
            return fail("invalid_request", "code_challenge is required (PKCE)")
        }
        guard params["code_challenge_method"] == "S256" else {
            return fail("invalid_request", "code_challenge_method must be S256")
        }
        guard challenge.utf8.count == 43, challenge.allSatisfy(Self.isBase64URL) else {
            return fail("invalid_request", "code_challenge is not a BASE64URL SHA-256 digest")
        }
        if let refusal = resourceRefusal(params["resource"], scope: params["scope"], oauth: oauth) {
            return fail(refusal.error, refusal.description)
        }
        var scopes = (params["scope"] ?? "").split(separator: " ").map(String.init)
        if scopes.isEmpty { scopes = oauth.defaultScopes }
        if let refusal = Self.scopeRefusal(scopes, oauth: oauth) {
            return fail("invalid_scope", refusal)
        }
        var unique: [String] = []
        for scope in scopes where !unique.contains(scope) { unique.append(scope) }
        let code = Self.randomToken("code")
        let quirks = oauth.provider
        // Auth0: the API is chosen by `audience`; without it the token is for /userinfo only.
        let audience =
            quirks?.audienceParameter == true ? (params["audience"] ?? issuer + "userinfo") : protectedResource
        let record = AuthorizationState.Code(
            clientID: clientID, redirectURI: params["redirect_uri"], challenge: challenge, scopes: unique,
            expiresAt: Date().addingTimeInterval(AuthorizationState.codeLifetime), audience: audience,
            offline: quirks?.issuesRefreshToken(scopes: unique, accessType: params["access_type"]) ?? true)
        state.withLock { state in
            state.auth.pruneCodes(now: Date())
            state.auth.codes[code] = record
            state.stats.authorizations += 1
        }
        return redirect([("code", code)])
    }

    // MARK: Token endpoint

    func token(_ request: Request) async -> Response {
        if !(request.headers[.accept] ?? "").contains("application/json") {
            state.withLock { $0.stats.tokenRequestsWithoutJSONAccept += 1 }
        }
        let (oauth, form, clientID): (DemoOAuthOptions, [String: String], String)
        switch await clientRequest(request) {
        case .failure(let error): return error.response
        case .success(let client): (oauth, form, clientID) = (client.oauth, client.form, client.clientID)
        }
        state.withLock { state in
            state.stats.tokenRequestForms[form["grant_type"] ?? ""] = form.filter {
                !DemoServerStats.secretFormFields.contains($0.key)
            }
        }
        switch form["grant_type"] {
        case "authorization_code":
            return tokenResponse(exchangeCode(form, clientID: clientID, oauth: oauth), request: request)
        case "refresh_token":
            return await refresh(form, clientID: clientID, request: request)
        case Self.deviceCodeGrant? where oauth.provider?.deviceAuthorization == true:
            return tokenResponse(deviceGrant(form, clientID: clientID, oauth: oauth), request: request)
        case nil:
            return tokenResponse(.invalidRequest("grant_type is required"))
        default:
            return tokenResponse(
                .failure(
                    .badRequest, error: "unsupported_grant_type",
                    description: "only authorization_code and refresh_token are supported"))
        }
    }

    /// Sends a token endpoint answer, counting `invalid_grant`s; JSON, or form-encoded where the
    /// emulated provider answers so (GitHub, unless the request accepts JSON).
    func tokenResponse(_ outcome: TokenOutcome, request: Request? = nil) -> Response {
        let status: HTTPResponse.Status
        let body: JSONValue
        switch outcome {
        case .tokens(let tokens):
            (status, body) = (.ok, tokens)
        case .page(let failureStatus):
            let title = "\(failureStatus.code) \(failureStatus.reasonPhrase)"
            return Reply.text(
                failureStatus, "<html><head><title>\(title)</title></head><body><h1>\(title)</h1></body></html>",
                type: "text/html; charset=utf-8")
        case .failure(let failureStatus, let error, let description):
            if error == "invalid_grant" {
                state.withLock { $0.stats.invalidGrants += 1 }
            }
            (status, body) = (failureStatus, ["error": .string(error), "error_description": .string(description)])
        }
        let accept = request?.headers[.accept] ?? ""
        let form: Bool
        switch options.oauth?.provider?.tokenResponseFormat ?? .json {
        case .json: form = false
        case .form: form = true
        case .formUnlessJSONAccepted: form = !accept.contains("application/json")
        }
        guard form, case .object(let fields) = body else { return Reply.json(status, body, headers: Self.noStore) }
        let pairs = fields.sorted { $0.key < $1.key }.map { ($0.key, Self.formValue($0.value)) }
        return Reply.text(
            status, FormData.encode(pairs), type: "application/x-www-form-urlencoded; charset=utf-8",
            headers: Self.noStore)
    }

    /// A JSON value as a form field: numbers and strings as text.
    static func formValue(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number):
            return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: return value.serialized()
        }
    }

    static func tokenBody(
        access: String, scopes: [String], refresh: String?, refreshExpiresIn: Double?, oauth: DemoOAuthOptions
    ) -> JSONValue {
        var body: [String: JSONValue] = [
            "access_token": .string(access),
            "token_type": "Bearer",
            "expires_in": .number(oauth.accessTokenLifetime),
            "scope": .string(scopes.joined(separator: " ")),
        ]
        if let refresh {
            body["refresh_token"] = .string(refresh)
        }
        if let refreshExpiresIn {
            body["refresh_token_expires_in"] = .number(refreshExpiresIn)
        }
        return .object(body)
    }

    func exchangeCode(_ form: [String: String], clientID: String, oauth: DemoOAuthOptions) -> TokenOutcome {
        guard let code = form["code"], let verifier = form["code_verifier"] else {
            return .invalidRequest("code and code_verifier are required")
        }
        guard (43...128).contains(verifier.utf8.count), verifier.allSatisfy(Self.isUnreserved) else {
            return .invalidRequest("code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)")
        }
        if let refusal = resourceRefusal(form["resource"], scope: form["scope"], oauth: oauth) {
            return .failure(.badRequest, error: refusal.error, description: refusal.description)
        }
        let challenge = Self.s256(verifier)
        let now = Date()
        let issuer = self.issuer
        let origin = self.origin
        return state.withLock { state -> TokenOutcome in
            guard let client = state.auth.clients[clientID] else {
                return .failure(.badRequest, error: "invalid_client", description: "unknown client_id")
            }
            state.auth.pruneCodes(now: now)
            guard var record = state.auth.codes[code] else {
                return .invalidGrant("unknown or expired authorization code")
            }
            guard record.clientID == clientID else {
                return .invalidGrant("the authorization code was issued to another client")
            }
            if let grant = record.grant {
                state.auth.revoke(grant: grant)
                return .invalidGrant("the authorization code was already used; its tokens are revoked")
            }
            if let expected = record.redirectURI {
                guard form["redirect_uri"] == expected else {
                    return .invalidGrant("redirect_uri does not match the authorization request")
                }
            } else if let given = form["redirect_uri"], !Self.registered(given, for: client) {
                return .invalidGrant("redirect_uri is not registered for this client")
            }
            guard challenge == record.challenge else {
                return .invalidGrant("code_verifier does not match the code_challenge")
            }
            let issued = state.issueTokens(
                Issue(clientID: clientID, scopes: record.scopes, audience: record.audience, offline: record.offline),
                oauth: oauth, issuer: issuer, origin: origin, now: now)
            record.grant = issued.grant
            state.auth.codes[code] = record
            state.stats.codeExchanges += 1
            return .tokens(issued.body)
        }
    }

    /// A `refresh_token` grant. The work is done at once; the answer waits `refreshDelay`.
    func refresh(_ form: [String: String], clientID: String, request: Request) async -> Response {
        let now = Date()
        let issuer = self.issuer
        let origin = self.origin
        let refusal = options.oauth.flatMap { resourceRefusal(form["resource"], scope: form["scope"], oauth: $0) }
        let (outcome, delay) = state.withLock { state -> (TokenOutcome, Double) in
            state.stats.refreshesStarted += 1
            guard var oauth = state.options.oauth else {
                return (.invalidRequest("OAuth is off"), 0)
            }
            if let fault = oauth.refreshFault {
                if let left = oauth.refreshFaultsLeft {
                    oauth.refreshFaultsLeft = left - 1
                    if left <= 1 { oauth.refreshFault = nil }
                    state.options.oauth = oauth
                }
                return (.refusal(fault), oauth.refreshDelay)
            }
            if let refusal {
                return (
                    .failure(.badRequest, error: refusal.error, description: refusal.description), oauth.refreshDelay
                )
            }
            var outcome = state.refresh(form, clientID: clientID, oauth: oauth, issuer: issuer, now: now)
            if case .tokens(var body) = outcome {
                DemoServer.shapeTokenBody(&body, oauth: oauth, origin: origin, now: now)
                outcome = .tokens(body)
            }
            return (outcome, oauth.refreshDelay)
        }
        if delay > 0 {
            try? await Task.sleep(for: .seconds(delay))
        }
        return tokenResponse(outcome, request: request)
    }

    // MARK: Revocation (RFC 7009)

    /// Revokes the whole grant of the token (when it belongs to the client named, if any);
    /// answers 200 whether or not the token was known.
    func revoke(_ request: Request) async -> Response {
        guard options.oauth != nil else { return Reply.text(.notFound, "Not Found") }
        let form: [String: String]
        switch await readForm(request) {
        case .failure(let error): return error.response
        case .success(let parsed): form = parsed
        }
        guard let token = form["token"] else {
            return tokenResponse(.invalidRequest("token is required"))
        }
        let clientID = form["client_id"]
        state.withLock { state in
            state.stats.revocations += 1
            guard let grant = state.auth.accessTokens[token]?.grant ?? state.auth.refreshTokens[token]?.grant,
                let owner = state.auth.grants[grant]?.clientID, clientID == nil || clientID == owner
            else { return }
            state.auth.revoke(grant: grant)
        }
        return Reply.empty(.ok, headers: Self.noStore)
    }

    // MARK: Helpers

    /// An `application/x-www-form-urlencoded` body; a repeated parameter is `invalid_request`.
    func readForm(_ incoming: Request) async -> Result<[String: String], ResponseError> {
        var request = incoming
        guard let buffer = try? await request.collectBody(upTo: 64 * 1024) else {
            return .failure(ResponseError(tokenResponse(.invalidRequest("the body is too large"))))
        }
        var form: [String: String] = [:]
        for (name, value) in FormData.decode(String(buffer: buffer)) {
            guard form[name] == nil else {
                return .failure(ResponseError(tokenResponse(.invalidRequest("\(name) is repeated"))))
            }
            form[name] = value
        }
        return .success(form)
    }

    /// RFC 8707 resource, compared to ours with the scheme and host case and a trailing slash
    /// ignored.
    static func sameResource(_ given: String, _ ours: String) -> Bool {
        guard var components = URLComponents(string: given), components.fragment == nil else { return false }
        components.scheme = components.scheme?.lowercased()
        components.host = components.host?.lowercased()
        while components.path.hasSuffix("/") { components.path.removeLast() }
        return components.string == ours
    }

    /// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))).
    static func s256(_ verifier: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// 32 random bytes from the system's cryptographic generator, with a readable prefix.
    static func randomToken(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + "_" + Base64URL.encode(Data(bytes))
    }

    static func isBase64URL(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
    }

    static func isUnreserved(_ character: Character) -> Bool {
        isBase64URL(character) || character == "." || character == "~"
    }
}

extension DemoServer.State {
    /// Validates and applies a refresh grant (the failure switches are handled by the caller).
    mutating func refresh(
        _ form: [String: String], clientID: String, oauth: DemoOAuthOptions, issuer: String, now: Date
    ) -> TokenOutcome {
        guard let presented = form["refresh_token"] else {
            return .invalidRequest("refresh_token is required")
        }
        guard auth.clients[clientID] != nil else {
            return .failure(.badRequest, error: "invalid_client", description: "unknown client_id")
        }
        guard let record = auth.refreshTokens[presented], let grant = auth.grants[record.grant] else {
            return .invalidGrant("unknown or revoked refresh token")
        }
        guard grant.clientID == clientID else {
            return .invalidGrant("the refresh token was issued to another client")
        }
        if record.status == .dead {
            // RFC 9700 §4.14.2: a rotated refresh token came back after its successor was used.
            auth.revoke(grant: record.grant)
            return .invalidGrant("the refresh token was already rotated and used; the grant is revoked")
        }
        if let expiresAt = record.expiresAt, now >= expiresAt {
            return .invalidGrant(oauth.provider?.expiredRefreshTokenDescription ?? "the refresh token expired")
        }
        var scopes = grant.scopes
        if let requested = form["scope"] {
            let asked = requested.split(separator: " ").map(String.init)
            guard !asked.isEmpty, asked.allSatisfy(grant.scopes.contains) else {
                return .failure(
                    .badRequest, error: "invalid_scope", description: "scope exceeds what the grant allows")
            }
            scopes = grant.scopes.filter(asked.contains)
        }
        // Using this token ends its predecessor's grace; presenting it again during its own
        // grace drops the successors it had (they were never used).
        auth.successorUsed(parent: record.parent)
        if case .graced(let successors) = record.status {
            auth.discard(successors)
        }
        let rotate = oauth.provider?.rotatesRefreshTokens ?? oauth.rotateRefreshTokens
        let access = auth.newAccessToken(
            grant: record.grant, scopes: scopes, parent: rotate ? presented : nil,
            lifetime: oauth.accessTokenLifetime, now: now,
            jwtIssuer: DemoServer.jwtIssuer(issuer, oauth: oauth, audience: grant.audience))
        let body: JSONValue
        if rotate {
            let next = auth.newRefreshToken(
                grant: record.grant, parent: presented, lifetime: oauth.refreshTokenLifetime, now: now)
            auth.refreshTokens[presented]?.status = .graced(successors: [access, next])
            body = DemoServer.tokenBody(
                access: access, scopes: scopes, refresh: next, refreshExpiresIn: oauth.refreshTokenLifetime,
                oauth: oauth)
        } else {
            auth.refreshTokens[presented]?.status = .active
            body = DemoServer.tokenBody(
                access: access, scopes: scopes, refresh: nil,
                refreshExpiresIn: record.expiresAt.map { max(0, $0.timeIntervalSince(now)) }, oauth: oauth)
        }
        stats.refreshes += 1
        stats.tokensIssued += 1
        return .tokens(body)
    }
}

/// `application/x-www-form-urlencoded`, for queries and token requests.
enum FormData {
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// `a=1&b=x+y` → pairs, with `+` as a space and percent escapes decoded.
    static func decode(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (unescape(pieces[0]), pieces.count > 1 ? unescape(pieces[1]) : "")
        }
    }

    /// Appends query parameters to a URL that may already have some.
    static func url(_ base: String, adding pairs: [(String, String)]) -> String {
        let separator = base.contains("?") ? "&" : "?"
        return base + separator + encode(pairs)
    }
}
