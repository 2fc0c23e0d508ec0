import Foundation
import Support

/// Finds the client to log in as: the pre-registered one from the config, a stored
/// registration for this issuer, a Client ID Metadata Document URL, or a new dynamic
/// registration (RFC 7591) as a native public client.
struct Registrar: Sendable {
    let serverName: String
    let settings: OAuthSettings
    let store: TokenStore
    let http: OAuthHTTP

    func registration(for metadata: AuthorizationServerMetadata, redirectURI: String) async throws(OAuthError)
        -> ClientRegistration
    {
        if let clientID = settings.clientID {
            http.onStep(AuthStep(action: "registration", outcome: "pre-registered client from the config"))
            return ClientRegistration(
                issuer: metadata.issuer, clientID: clientID, redirectURI: settings.redirectURI ?? redirectURI,
                method: .preregistered)
        }
        if let stored = try? store.loadRegistration(issuer: metadata.issuer), stored.redirectURI == redirectURI {
            http.onStep(
                AuthStep(action: "registration", outcome: "reusing the client registered \(stored.registeredAt)"))
            return stored
        }
        if let documentURL = settings.clientMetadataURL, metadata.clientIDMetadataDocumentSupported {
            http.onStep(AuthStep(action: "registration", outcome: "client id metadata document \(documentURL)"))
            return ClientRegistration(
                issuer: metadata.issuer, clientID: documentURL, redirectURI: redirectURI, method: .metadataDocument)
        }
        guard let endpoint = metadata.registrationEndpoint else {
            throw OAuthError(
                server: serverName,
                .invalidClient(
                    "\(displayURL(metadata.issuer)) offers no dynamic client registration; "
                        + Self.registerByHand(redirectURI: redirectURI)))
        }
        var body: JSONValue = [
            "client_name": "mcptop",
            "redirect_uris": [.string(redirectURI)],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "application_type": "native",
        ]
        if let scopes = settings.scopes { body["scope"] = .string(scopes.joined(separator: " ")) }
        let reply = try await http.postJSON(endpoint, body, what: "dynamic client registration")
        guard (200..<300).contains(reply.status), let json = reply.json, let clientID = json["client_id"]?.stringValue
        else {
            if reply.status >= 500 {
                throw OAuthError(server: serverName, .transient("registration answered \(reply.status)"))
            }
            if let redirect = reply.redirect {
                throw OAuthError(
                    server: serverName,
                    .protocolError("dynamic client registration at \(displayURL(endpoint)) answered \(redirect)"))
            }
            // RFC 7591 §3.2.2 error and error_description; Okta's errorCode and errorSummary.
            let json = reply.json
            let code = json?["error"]?.stringValue ?? json?["errorCode"]?.stringValue
            let detail = json?["error_description"]?.stringValue ?? json?["errorSummary"]?.stringValue
            let said = [code.map { ServerText.oneLine($0, limit: 60) }, detail.map { ServerText.oneLine($0) }]
                .compactMap { $0 }.joined(separator: ": ")
            throw OAuthError(
                server: serverName,
                .invalidClient(
                    "dynamic client registration at \(displayURL(endpoint)) was refused (HTTP \(reply.status)"
                        + (said.isEmpty ? "" : " \(said)") + "); " + Self.registerByHand(redirectURI: redirectURI)))
        }
        let registration = ClientRegistration(
            issuer: metadata.issuer, clientID: clientID, clientSecret: json["client_secret"]?.stringValue,
            redirectURI: redirectURI, method: .dynamic)
        try? store.save(registration)
        return registration
    }

    /// What to do when mcptop cannot register itself: the config keys and the redirect URI.
    static func registerByHand(redirectURI: String) -> String {
        "register mcptop with it by hand (a native or web application) with the redirect URI \(redirectURI), "
            + "then set \"oauth\": {\"clientId\": \"<its client id>\", \"redirectUri\": \"\(redirectURI)\"} "
            + "for this server, and \"clientSecret\": \"${VARIABLE}\" if it has a secret"
    }
}
