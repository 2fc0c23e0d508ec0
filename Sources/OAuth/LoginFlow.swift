import Foundation
import HTTP
import Support

/// The browser login (OAuth 2.1 authorization code + PKCE S256 + `state` + `resource`),
/// from discovery to a stored credential.
public struct LoginFlow: Sendable {
    public struct Options: Sendable {
        /// Open the browser ($BROWSER, else xdg-open); otherwise only print the URL.
        public var openBrowser = true
        public var timeout: Duration = .seconds(300)
        /// Scopes the server asked for in a 403 `insufficient_scope`, added to the request.
        public var extraScopes: [String] = []
        /// Told the URL to open, and whether the authorization server offers the device
        /// authorization grant (RFC 8628) too; always called so a user on SSH can copy it.
        public var showURL: @Sendable (_ url: String, _ offersDeviceLogin: Bool) -> Void = { _, _ in }
        /// The next line the user pasted (nil at the end of input): the address the browser
        /// ended on, for when it cannot reach the loopback listener (`auth --no-browser`).
        public var pastedRedirect: (@Sendable () async -> String?)? = nil

        public init() {}
    }

    let serverName: String
    let serverURL: String
    let settings: OAuthSettings
    let store: TokenStore
    let http: HTTPClient
    let onStep: AuthStepHandler

    public init(
        serverName: String, serverURL: String, settings: OAuthSettings, store: TokenStore,
        http: HTTPClient = .shared, onStep: @escaping AuthStepHandler = { _ in }
    ) {
        self.serverName = serverName
        self.serverURL = serverURL
        self.settings = settings
        self.store = store
        self.http = http
        self.onStep = onStep
    }

    var oauthHTTP: OAuthHTTP { OAuthHTTP(server: serverName, http: http, onStep: onStep) }

    func fail(_ kind: OAuthError.Kind) -> OAuthError { OAuthError(server: serverName, kind) }

    /// Runs the whole flow and returns the new credential (also stored).
    public func run(options: Options, challenge: AuthChallenge? = nil) async throws(OAuthError) -> Credential {
        let (discovered, known) = try await discoverForLogin(challenge: challenge)
        return try await runAdapting(
            discovered: discovered, known: known, options: options, issuer: discovered.authorizationServer.issuer)
    }

    /// The probe (unless the challenge is known) and discovery; refuses a server that needs no
    /// login.
    func discoverForLogin(challenge: AuthChallenge?) async throws(OAuthError) -> (
        DiscoveredAuthorization, AuthChallenge?
    ) {
        var known = challenge
        var probeStatus: Int?
        if known == nil { (known, probeStatus) = try await probe() }
        let discovered = try await Discovery(
            server: serverName, http: http, assumePkceS256: settings.assumePkceS256, onStep: onStep
        )
        .discover(mcpURL: serverURL, challenge: known)
        // A server that answered without a 401 and publishes no metadata at all: guessing
        // /authorize and /register there only ends in a confusing 404.
        if discovered.usesDefaultEndpoints, known == nil, let probeStatus, probeStatus != 401 {
            onStep(AuthStep(action: "login", outcome: "not needed: no 401 and no OAuth metadata"))
            throw fail(
                .notRequired(
                    "\(displayURL(serverURL)) answered HTTP \(probeStatus) without asking for a login "
                        + "and publishes no OAuth metadata"))
        }
        return (discovered, known)
    }

    /// After a known refusal was adapted to: the same flow without what was refused.
    private func runAdapting(
        discovered: DiscoveredAuthorization, known: AuthChallenge?, options: Options, issuer: String
    ) async throws(OAuthError) -> Credential {
        var adaptations = store.loadAdaptations(issuer: issuer)
        for reason in adaptations.changes.values.sorted() {
            onStep(AuthStep(action: "remembered for \(issuer)", outcome: reason))
        }
        var registeredAgain = false
        // Each known refusal is adapted to once (a change is never made twice), so this ends.
        while true {
            let attempt: Attempt
            do {
                attempt = try await authorize(
                    discovered: discovered, challenge: known, options: options, adaptations: adaptations)
            } catch {
                guard case .invalidClient = error.kind, !registeredAgain,
                    (try? store.loadRegistration(issuer: issuer)) != nil
                else { throw error }
                // A stored registration the server forgot: register again, once.
                registeredAgain = true
                try? store.deleteRegistration(issuer: issuer)
                onStep(AuthStep(action: "registration", outcome: "rejected by the server, registering again"))
                continue
            }
            switch attempt {
            case .done(let credential):
                return credential
            case .adapt(let change, let reason):
                adaptations.changes[change] = reason
                // Remembered beside the token store: the next login goes straight through.
                try? store.save(adaptations)
                onStep(AuthStep(action: "adapted", outcome: reason))
            }
        }
    }

    /// One authorization: a login, or a known refusal to adapt to and try again.
    enum Attempt {
        case done(Credential)
        case adapt(IssuerAdaptations.Change, reason: String)
    }

    /// An unauthenticated request to learn the server's challenge (resource_metadata, scope).
    private func probe() async throws(OAuthError) -> (AuthChallenge?, Int) {
        var request = HTTPRequest(
            method: "POST", url: serverURL,
            body: Array(#"{"jsonrpc":"2.0","id":0,"method":"ping"}"#.utf8), connectTimeout: 10, timeout: 30,
            maxBodyBytes: 1 << 20)
        request.headers.add("Content-Type", "application/json")
        request.headers.add("Accept", "application/json, text/event-stream")
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw fail(.transient("\(error)"))
        }
        let challenges = AuthChallenge.parse(response.headers.values("WWW-Authenticate"))
        onStep(AuthStep(action: "POST \(displayURL(serverURL)) (probe)", outcome: "HTTP \(response.status)"))
        return (challenges.first { $0.scheme == "bearer" }, response.status)
    }

    private func authorize(
        discovered: DiscoveredAuthorization, challenge: AuthChallenge?, options: Options,
        adaptations: IssuerAdaptations
    ) async throws(OAuthError) -> Attempt {
        let metadata = discovered.authorizationServer
        let receiver = try await startReceiver(issuer: metadata.issuer)
        defer { Task { await receiver.stop() } }
        let registration = try await Registrar(
            serverName: serverName, settings: settings, store: store, http: oauthHTTP
        ).registration(for: metadata, redirectURI: receiver.redirectURI)

        let pkce = PKCE()
        let state = PKCE.randomString(byteCount: 24)
        receiver.expect(state: state)
        var scopes = selectScopes(discovered: discovered, challenge: challenge, extra: options.extraScopes)
        if adaptations.has(.omitOfflineAccess) { scopes.removeAll { $0 == "offline_access" } }
        let resource =
            adaptations.has(.omitResource) ? nil : settings.resourceParameter(discovered: discovered.resource)
        func adaptation(error: String, description: String?) -> Attempt? {
            guard
                let change = adaptations.change(
                    forError: error, description: description, sentResource: resource != nil, scopes: scopes)
            else { return nil }
            let refusal = IssuerAdaptations.refusalName(error: error, description: description)
            return .adapt(change, reason: change.reason(refusal: refusal))
        }
        var query = [
            ("response_type", "code"), ("client_id", registration.clientID),
            ("redirect_uri", registration.redirectURI), ("code_challenge", pkce.challenge),
            ("code_challenge_method", pkce.method), ("state", state),
        ]
        if let resource { query.append(("resource", resource)) }
        if !scopes.isEmpty { query.append(("scope", scopes.joined(separator: " "))) }
        let parameters = authorizationParameters(endpoint: metadata.authorizationEndpoint, adaptations: adaptations)
        query += parameters
        let url = FormEncoding.url(metadata.authorizationEndpoint, adding: query)
        options.showURL(url, metadata.deviceAuthorizationEndpoint != nil)
        if options.openBrowser { Browser.open(url) }
        onStep(AuthStep(action: "authorization request", outcome: "waiting for the browser"))
        let pasting = options.pastedRedirect.map { next in
            Task { [onStep] in
                while !Task.isCancelled, let line = await next() {
                    if line.trimmed().isEmpty { continue }
                    if receiver.paste(line) { return }
                    onStep(
                        AuthStep(
                            action: "pasted address",
                            outcome: "not \(receiver.redirectURI)?…: paste the whole address the browser ended on"))
                }
            }
        }
        defer { pasting?.cancel() }

        let response: [(String, String)]
        do {
            response = try await receiver.wait(timeout: options.timeout)
        } catch is CancellationError {
            throw fail(.login("cancelled"))
        } catch {
            throw fail(.login("\(error)"))
        }
        let code: String
        switch try validate(response, state: state, metadata: metadata) {
        case .code(let received):
            code = received
        case .refused(let error, let description):
            if let attempt = adaptation(error: error, description: description) { return attempt }
            let text = description.map { ": \(ServerText.oneLine($0))" } ?? ""
            throw fail(.login("the authorization server answered \(ServerText.oneLine(error, limit: 60))\(text)"))
        }
        onStep(AuthStep(action: "authorization response", outcome: "code received, state and issuer checked"))

        let endpoint = TokenEndpoint(server: serverName, http: oauthHTTP)
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", registration.redirectURI),
            ("code_verifier", pkce.verifier),
        ]
        if let resource { form.append(("resource", resource)) }
        form += settings.tokenParams.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let secret = settings.clientSecret ?? registration.clientSecret
        let authMethod = secret == nil ? nil : TokenEndpoint.authMethod(supported: metadata.tokenEndpointAuthMethods)
        let tokens: TokenResponse
        do {
            tokens = try await endpoint.request(
                metadata.tokenEndpoint, form, clientSecret: secret, clientID: registration.clientID,
                authMethod: authMethod, what: "code exchange")
        } catch {
            switch error {
            case .invalidClient(let detail): throw fail(.invalidClient(detail))
            case .transient(let detail): throw fail(.transient(detail))
            case .invalidGrant(let detail): throw fail(.login(detail))
            case .refused(let detail, let error, let description):
                if let error, let attempt = adaptation(error: error, description: description) { return attempt }
                throw fail(.login(detail))
            }
        }
        // Google's shape (`offline_access` refused as a scope) and no refresh token: authorize
        // again, once, the way Google wants offline access. This login's tokens are let go.
        if tokens.refreshToken == nil, adaptations.has(.omitOfflineAccess), !adaptations.has(.askAccessTypeOffline),
            !parameters.contains(where: { $0.0 == "access_type" })
        {
            let change = IssuerAdaptations.Change.askAccessTypeOffline
            return .adapt(change, reason: change.reason(refusal: "no refresh token without them"))
        }
        return .done(
            try await keep(
                tokens, discovered: discovered, clientID: registration.clientID, secret: secret,
                authMethod: authMethod, scopes: scopes))
    }

    /// The login from a token response (any grant): stored, with its expiry learnt where the
    /// server offers introspection, and its verdict on the timeline.
    func keep(
        _ tokens: TokenResponse, discovered: DiscoveredAuthorization, clientID: String, secret: String?,
        authMethod: String?, scopes: [String]
    ) async throws(OAuthError) -> Credential {
        let metadata = discovered.authorizationServer
        var credential = Credential(
            serverURL: serverURL, resource: discovered.resource, issuer: metadata.issuer, clientID: clientID,
            tokenEndpoint: metadata.tokenEndpoint, revocationEndpoint: metadata.revocationEndpoint, tokens: tokens,
            now: Date())
        credential.tokenEndpointAuthMethod = authMethod
        credential.introspectionEndpoint = metadata.introspectionEndpoint
        await TokenEndpoint(server: serverName, http: oauthHTTP).learnExpiry(of: &credential, clientSecret: secret)
        if credential.scopes.isEmpty { credential.scopes = scopes.filter { $0 != "offline_access" } }
        if credential.refreshTokenExpiresAt == nil,
            let lifetime = BoundedSeconds.lifetime(settings.refreshTokenLifetimeSeconds)
        {
            credential.refreshTokenExpiresAt = Date().addingTimeInterval(lifetime)
        }
        let previous = try? store.loadCredential(serverURL: serverURL)
        // Under the store's lock, as the next generation: a refresh in another process that
        // started from the old login finishes first, or finds this one and discards its result.
        do {
            credential = try await store.saveLogin(credential)
        } catch {
            throw fail(.protocolError("cannot store the login: \(error)"))
        }
        if let previous, !Discovery.sameIssuer(previous.issuer, credential.issuer) {
            onStep(
                AuthStep(
                    action: "authorization server",
                    outcome: "changed from \(previous.issuer) to \(credential.issuer): the login of the former "
                        + "was removed, never presented to the latter"))
        }
        var outcome = credential.refreshToken == nil ? "ok, no refresh token" : "ok"
        if credential.refreshToken == nil, scopes.contains("offline_access") {
            outcome +=
                " although offline_access was asked: the server does not allow this client offline access "
                + "(allow refresh tokens for the client at the provider; Salesforce wants `refresh_token` in "
                + "oauth.scopes, Google-like servers oauth.authorizationParams access_type=offline, prompt=consent)"
        }
        onStep(AuthStep(action: "login", outcome: outcome))
        onStep(AuthStep(action: "login verdict", outcome: credential.verdict))
        return credential
    }

    /// `oauth.authorizationParams`, and for Google (`accounts.google.com`), which issues a refresh
    /// token only with `access_type=offline` (and again on re-consent only with
    /// `prompt=consent`), those two unless the config says otherwise; the same for an issuer
    /// that taught ``IssuerAdaptations/Change/askAccessTypeOffline``.
    func authorizationParameters(endpoint: String, adaptations: IssuerAdaptations? = nil) -> [(String, String)] {
        var parameters = settings.authorizationParams
        let google = URLComponents(string: endpoint)?.host?.lowercased() == "accounts.google.com"
        if google || adaptations?.has(.askAccessTypeOffline) == true, parameters["access_type"] == nil {
            parameters["access_type"] = "offline"
            if parameters["prompt"] == nil { parameters["prompt"] = "consent" }
            if google {
                onStep(
                    AuthStep(
                        action: "authorization request",
                        outcome: "access_type=offline&prompt=consent added: Google issues a refresh token only then"))
            }
        }
        return parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A registration reused for this issuer must come back on its exact redirect URI.
    private func startReceiver(issuer: String) async throws(OAuthError) -> RedirectReceiver {
        var port = 0
        var path = "/callback"
        if let fixed = settings.redirectURI, let components = URLComponents(string: fixed) {
            port = components.port ?? 80
            path = components.path.isEmpty ? "/" : components.path
        } else if let stored = try? store.loadRegistration(issuer: issuer),
            let components = URLComponents(string: stored.redirectURI), let storedPort = components.port
        {
            port = storedPort
            path = components.path
        }
        do {
            let receiver = RedirectReceiver(port: port, path: path)
            _ = try await receiver.start()
            return receiver
        } catch {
            guard settings.redirectURI == nil, port != 0 else { throw fail(.login("\(error)")) }
            // The stored registration's port is taken: a new registration gets a new port.
            try? store.deleteRegistration(issuer: issuer)
            let receiver = RedirectReceiver(port: 0)
            do {
                _ = try await receiver.start()
            } catch {
                throw fail(.login("\(error)"))
            }
            return receiver
        }
    }

    /// RFC 6749 §10.12 `state`, then RFC 9207 `iss` as the MCP table says, before anything in
    /// the response (even an error) is acted on.
    func validate(_ response: [(String, String)], state: String, metadata: AuthorizationServerMetadata)
        throws(OAuthError) -> AuthorizationAnswer
    {
        func value(_ name: String) -> String? { response.first { $0.0 == name }?.1 }
        guard value("state") == state else {
            throw fail(.login("the response's state does not match the request (a forged or stale redirect)"))
        }
        if let iss = value("iss") {
            guard iss == metadata.issuer else {
                throw fail(.login("the response came from issuer \(iss), expected \(metadata.issuer) (mix-up attack?)"))
            }
        } else if metadata.issParameterSupported {
            throw fail(.login("the response has no iss although the server promises one"))
        }
        if let error = value("error") {
            return .refused(error: error, description: value("error_description"))
        }
        guard let code = value("code"), !code.isEmpty else {
            throw fail(.login("the response has neither a code nor an error"))
        }
        return .code(code)
    }

    /// A redirect whose `state` and `iss` were checked: a code, or the server's refusal as sent.
    enum AuthorizationAnswer {
        case code(String)
        case refused(error: String, description: String?)
    }

    /// MCP Scope Selection Strategy: the challenge's `scope`, else the resource's
    /// `scopes_supported`; plus `offline_access` when the authorization server offers it.
    func selectScopes(discovered: DiscoveredAuthorization, challenge: AuthChallenge?, extra: [String]) -> [String] {
        var scopes: [String]
        if let configured = settings.scopes {
            scopes = configured
        } else if let fromChallenge = challenge?.scope {
            scopes = fromChallenge.split(separator: " ").map(String.init)
        } else {
            scopes = discovered.resourceMetadata?.scopesSupported ?? []
        }
        for scope in extra where !scopes.contains(scope) { scopes.append(scope) }
        if discovered.authorizationServer.scopesSupported.contains("offline_access"), !scopes.contains("offline_access")
        {
            scopes.append("offline_access")
        }
        return scopes
    }
}

/// Opens a URL in the user's browser: `$BROWSER`, else `xdg-open`. Failure is not an error:
/// the URL is printed as well.
enum Browser {
    static func open(_ url: String) {
        let environment = ProcessInfo.processInfo.environment
        let command = environment["BROWSER"].flatMap { $0.isEmpty ? nil : $0 } ?? "xdg-open"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command, url]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}
