import Foundation
import Support

/// What the user needs to approve a device login (RFC 8628 §3.2). The user code is meant to be
/// read and typed by the user; the device code never leaves mcptop.
public struct DeviceLoginPrompt: Sendable, Equatable {
    public var userCode: String
    public var verificationURI: String
    /// The URI with the code in it, to open directly (or as a QR code) where offered.
    public var verificationURIComplete: String?
    public var expiresIn: Double

    public init(userCode: String, verificationURI: String, verificationURIComplete: String?, expiresIn: Double) {
        self.userCode = userCode
        self.verificationURI = verificationURI
        self.verificationURIComplete = verificationURIComplete
        self.expiresIn = expiresIn
    }
}

extension LoginFlow {
    /// The device authorization grant (RFC 8628), for a machine without a browser: mcptop shows
    /// a code and a URI to visit elsewhere and polls the token endpoint until the user approves.
    /// Needs a client registered by hand (`oauth.clientId`) that may use this grant.
    public func runDevice(
        options: Options, challenge: AuthChallenge? = nil, showCode: @escaping @Sendable (DeviceLoginPrompt) -> Void
    ) async throws(OAuthError) -> Credential {
        let (discovered, _) = try await discoverForLogin(challenge: challenge)
        let metadata = discovered.authorizationServer
        guard let deviceEndpoint = metadata.deviceAuthorizationEndpoint else {
            throw fail(
                .login(
                    "\(displayURL(metadata.issuer)) offers no device authorization (RFC 8628); "
                        + "log in with the browser (mcptop auth \(serverName), with --no-browser over SSH)"))
        }
        try EndpointPolicy.check(deviceEndpoint, role: "device authorization endpoint", server: serverName)
        guard let clientID = settings.clientID else {
            throw fail(
                .invalidClient(
                    "a device login needs a client registered by hand that may use the device code grant: "
                        + "set \"oauth\": {\"clientId\": \"…\"} (and \"clientSecret\": \"${VARIABLE}\" if it has one)"))
        }
        let adaptations = store.loadAdaptations(issuer: metadata.issuer)
        var scopes = selectScopes(discovered: discovered, challenge: challenge, extra: options.extraScopes)
        if adaptations.has(.omitOfflineAccess) { scopes.removeAll { $0 == "offline_access" } }
        let resource =
            adaptations.has(.omitResource) ? nil : settings.resourceParameter(discovered: discovered.resource)
        var request: [(String, String)] = scopes.isEmpty ? [] : [("scope", scopes.joined(separator: " "))]
        if let resource { request.append(("resource", resource)) }
        let secret = settings.clientSecret
        let method = secret == nil ? nil : TokenEndpoint.authMethod(supported: metadata.tokenEndpointAuthMethods)
        let (pairs, basic) = TokenEndpoint.authenticate(request, clientID: clientID, secret: secret, method: method)
        let reply = try await oauthHTTP.postForm(deviceEndpoint, pairs, what: "device authorization", basicAuth: basic)
        guard reply.status == 200, let json = reply.json, let deviceCode = json["device_code"]?.stringValue,
            let userCode = json["user_code"]?.stringValue,
            // Google names it verification_url.
            let uri = json["verification_uri"]?.stringValue ?? json["verification_url"]?.stringValue
        else {
            let said = reply.json?["error_description"]?.stringValue ?? reply.json?["error"]?.stringValue ?? ""
            throw fail(
                .login("the device authorization endpoint answered \(reply.status) \(ServerText.oneLine(said))"))
        }
        let lifetime = BoundedSeconds.lifetime(json: json["expires_in"]) ?? 600
        let prompt = DeviceLoginPrompt(
            userCode: ServerText.oneLine(userCode, limit: 40), verificationURI: ServerText.oneLine(uri),
            verificationURIComplete: json["verification_uri_complete"]?.stringValue.map { ServerText.oneLine($0) },
            expiresIn: lifetime)
        showCode(prompt)
        onStep(
            AuthStep(
                action: "device authorization",
                outcome: "waiting for the code to be entered at \(prompt.verificationURI)"))
        // RFC 8628 §3.5: poll at the interval (5 s unless said), 5 s slower after slow_down,
        // until the code expires or the login's own timeout.
        var interval = BoundedSeconds.lifetime(json: json["interval"]).map { max(1, $0) } ?? 5
        let deadline = Date().addingTimeInterval(min(lifetime, Double(options.timeout.components.seconds)))
        let endpoint = TokenEndpoint(server: serverName, http: oauthHTTP)
        var form = [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode)]
        form += settings.tokenParams.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        while Date() < deadline {
            do {
                try await Task.sleep(for: .seconds(interval))
            } catch {
                throw fail(.login("cancelled"))
            }
            let tokens: TokenResponse
            do {
                tokens = try await endpoint.request(
                    metadata.tokenEndpoint, form, clientSecret: secret, clientID: clientID, authMethod: method,
                    what: "device code poll")
            } catch {
                switch error {
                case .refused(_, let code?, _) where code == "authorization_pending": continue
                case .transient(let detail) where detail.contains(" slow_down"):
                    interval += 5
                    continue
                case .transient: continue
                case .refused(let detail, _, _), .invalidGrant(let detail): throw fail(.login(detail))
                case .invalidClient(let detail): throw fail(.invalidClient(detail))
                }
            }
            return try await keep(
                tokens, discovered: discovered, clientID: clientID, secret: secret, authMethod: method, scopes: scopes)
        }
        throw fail(.login("the code was not entered in time; run the device login again"))
    }
}
