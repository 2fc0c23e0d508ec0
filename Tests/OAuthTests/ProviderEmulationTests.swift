import DemoServer
import Foundation
import HTTP
import OAuth
import Support
import Testing

/// The emulated identity providers (DemoServer's ``ProviderFixture``), driven by raw HTTP: each
/// test names the provider behaviour it checks and where the provider documents it.
@Suite struct ProviderEmulationTests {
    static let secret = "test-secret-0123456789"
    static let redirectURI = "http://127.0.0.1:5999/callback"
    static let verifier = "demo-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
    static let challenge = "VWMZew2RAHG6_99KRWlM9fKSb9_2SN2YAIvf86v2cXU"

    static func withProvider(
        _ profile: ProviderProfile, quirks: (inout ProviderQuirks) -> Void = { _ in },
        _ body: (ProviderFixture) async throws -> Void
    ) async throws {
        let fixture = ProviderFixture(profile, quirks: quirks)
        try await fixture.start()
        fixture.provider.registerClient(id: ProviderFixture.clientID, secret: secret)
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    static func get(_ url: String) async throws -> HTTPResponse {
        try await HTTPClient.shared.send(HTTPRequest(url: url, connectTimeout: 5, timeout: 5))
    }

    static func post(_ url: String, _ body: String, headers: [(String, String)]) async throws -> HTTPResponse {
        try await HTTPClient.shared.send(
            HTTPRequest(
                method: "POST", url: url, headers: HTTPHeaders(headers), body: Array(body.utf8), connectTimeout: 5,
                timeout: 5))
    }

    static func json(_ response: HTTPResponse) throws -> JSONValue {
        try JSONValue.parse(response.body)
    }

    static func metadata(_ fixture: ProviderFixture, at path: String) async throws -> JSONValue {
        let response = try await get(fixture.providerOrigin + path)
        try #require(response.status == 200)
        return try json(response)
    }

    /// The authorization redirect's query, as pairs.
    static func authorize(_ fixture: ProviderFixture, endpoint: String, _ extra: [(String, String)]) async throws
        -> [String: String]
    {
        let query =
            [
                ("response_type", "code"), ("client_id", ProviderFixture.clientID), ("redirect_uri", redirectURI),
                ("code_challenge", challenge), ("code_challenge_method", "S256"), ("state", "s1"),
            ] + extra
        let response = try await get(FormEncoding.url(endpoint, adding: query))
        let location = try #require(response.headers["Location"])
        let answer = try #require(URLComponents(string: location)?.query)
        return Dictionary(FormEncoding.decode(answer), uniquingKeysWith: { first, _ in first })
    }

    static func exchange(
        _ code: String, tokenEndpoint: String, accept: String = "application/json", secretInBody: Bool = false
    ) async throws -> HTTPResponse {
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", verifier),
        ]
        var headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", accept)]
        if secretInBody {
            form += [("client_id", ProviderFixture.clientID), ("client_secret", secret)]
        } else {
            let basic = Data("\(ProviderFixture.clientID):\(secret)".utf8).base64EncodedString()
            headers.append(("Authorization", "Basic \(basic)"))
        }
        return try await post(tokenEndpoint, FormEncoding.encode(form), headers: headers)
    }

    // Entra ID: https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc
    @Test func entraPublishesOnlyOIDCMetadataUnderTheTenantIssuerWithoutS256OrRegistration() async throws {
        try await Self.withProvider(.entra) { fixture in
            #expect(fixture.issuer.hasSuffix("/tenant-0000/v2.0"))
            let document = try await Self.metadata(fixture, at: "/tenant-0000/v2.0/.well-known/openid-configuration")
            #expect(document["issuer"]?.stringValue == fixture.issuer)
            #expect(document["code_challenge_methods_supported"] == nil)
            #expect(document["registration_endpoint"] == nil)
            let inserted = try await Self.get(
                fixture.providerOrigin + "/.well-known/oauth-authorization-server/tenant-0000/v2.0")
            #expect(inserted.status == 404)
        }
    }

    // Entra ID: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
    // (AADSTS9010010), trace lines separated by CR LF in error_description.
    @Test func entraRefusesResourceTogetherWithScopeAsInvalidTargetWithCRLFTraceLines() async throws {
        try await Self.withProvider(.entra) { fixture in
            let endpoint = fixture.providerOrigin + "/tenant-0000/oauth2/v2.0/authorize"
            let refused = try await Self.authorize(
                fixture, endpoint: endpoint, [("resource", fixture.mcpURL), ("scope", fixture.resourceScope)])
            #expect(refused["error"] == "invalid_target")
            #expect(refused["error_description"]?.hasPrefix("AADSTS9010010") == true)
            #expect(refused["error_description"]?.contains("\r\nTrace ID:") == true)
            let accepted = try await Self.authorize(fixture, endpoint: endpoint, [("scope", fixture.resourceScope)])
            #expect(accepted["code"] != nil)
            let mixed = try await Self.authorize(
                fixture, endpoint: endpoint, [("scope", "api://mcptop-test/.default \(fixture.resourceScope)")])
            #expect(mixed["error"] == "invalid_scope")
        }
    }

    // Okta: https://developer.okta.com/docs/reference/api/oidc/#well-known-oauth-authorization-server
    // and https://developer.okta.com/docs/reference/error-codes/ (E0000011).
    @Test func oktaPublishesMetadataAppendedToTheCustomServerAndRefusesRegistrationWithE0000011() async throws {
        try await Self.withProvider(.okta) { fixture in
            #expect(fixture.issuer.hasSuffix("/oauth2/aus-mcp"))
            let document = try await Self.metadata(
                fixture, at: "/oauth2/aus-mcp/.well-known/oauth-authorization-server")
            #expect(document["issuer"]?.stringValue == fixture.issuer)
            let inserted = try await Self.get(
                fixture.providerOrigin + "/.well-known/oauth-authorization-server/oauth2/aus-mcp")
            #expect(inserted.status == 404)
            let registration = try #require(document["registration_endpoint"]?.stringValue)
            let refused = try await Self.post(
                registration, #"{"redirect_uris":["http://127.0.0.1:5999/callback"]}"#,
                headers: [("Content-Type", "application/json")])
            #expect(refused.status == 401)
            #expect(try Self.json(refused)["errorCode"]?.stringValue == "E0000011")
        }
    }

    // Keycloak: https://www.keycloak.org/securing-apps/client-registration (Trusted Hosts policy).
    @Test func keycloakRefusesRegistrationByTrustedHostsPolicyWith403() async throws {
        try await Self.withProvider(.keycloak) { fixture in
            let document = try await Self.metadata(fixture, at: "/realms/mcp/.well-known/openid-configuration")
            let registration = try #require(document["registration_endpoint"]?.stringValue)
            let refused = try await Self.post(
                registration, #"{"redirect_uris":["http://127.0.0.1:5999/callback"]}"#,
                headers: [("Content-Type", "application/json")])
            #expect(refused.status == 403)
            #expect(try Self.json(refused)["error_description"]?.stringValue?.contains("Trusted Hosts") == true)
        }
    }

    // GitHub: https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
    // ("By default, the response takes the following form … you can also receive the response
    // in different formats if you provide the format in the Accept header"); no expires_in and
    // no refresh token for OAuth-app tokens; the secret goes in the body.
    @Test func githubAnswersFormEncodedUnlessJSONIsAcceptedWithoutExpiryOrRefreshToken() async throws {
        try await Self.withProvider(.github) { fixture in
            let document = try await Self.metadata(fixture, at: "/.well-known/oauth-authorization-server/login/oauth")
            let authorize = try #require(document["authorization_endpoint"]?.stringValue)
            let token = try #require(document["token_endpoint"]?.stringValue)
            #expect(document["token_endpoint_auth_methods_supported"] == ["client_secret_post"])
            let first = try #require(try await Self.authorize(fixture, endpoint: authorize, [])["code"])
            let basic = try await Self.exchange(first, tokenEndpoint: token)
            #expect(basic.status == 401)
            let second = try #require(try await Self.authorize(fixture, endpoint: authorize, [])["code"])
            let form = try await Self.exchange(second, tokenEndpoint: token, accept: "*/*", secretInBody: true)
            #expect(form.headers["Content-Type"]?.hasPrefix("application/x-www-form-urlencoded") == true)
            let fields = Dictionary(
                FormEncoding.decode(String(decoding: form.body, as: UTF8.self)), uniquingKeysWith: { a, _ in a })
            #expect(fields["access_token"] != nil)
            #expect(fields["expires_in"] == nil)
            #expect(fields["refresh_token"] == nil)
            let third = try #require(try await Self.authorize(fixture, endpoint: authorize, [])["code"])
            let json = try Self.json(try await Self.exchange(third, tokenEndpoint: token, secretInBody: true))
            #expect(json["access_token"]?.stringValue != nil)
        }
    }

    // Google: https://developers.google.com/identity/protocols/oauth2/native-app (refresh token
    // only with access_type=offline); offline_access is not a Google scope.
    @Test func googleIssuesARefreshTokenOnlyWithAccessTypeOfflineAndRefusesOfflineAccess() async throws {
        try await Self.withProvider(.google) { fixture in
            let document = try await Self.metadata(fixture, at: "/.well-known/openid-configuration")
            let authorize = try #require(document["authorization_endpoint"]?.stringValue)
            let token = try #require(document["token_endpoint"]?.stringValue)
            let refused = try await Self.authorize(fixture, endpoint: authorize, [("scope", "openid offline_access")])
            #expect(refused["error"] == "invalid_scope")
            let online = try #require(try await Self.authorize(fixture, endpoint: authorize, [])["code"])
            #expect(try Self.json(try await Self.exchange(online, tokenEndpoint: token))["refresh_token"] == nil)
            let offline = try #require(
                try await Self.authorize(fixture, endpoint: authorize, [("access_type", "offline")])["code"])
            #expect(try Self.json(try await Self.exchange(offline, tokenEndpoint: token))["refresh_token"] != nil)
        }
    }

    // Salesforce: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
    // (issued_at in ms, instance_url, id, signature; no expires_in) and
    // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_token_introspection.htm.
    @Test func salesforceSendsNoExpiresInButIntrospectionTellsTheExpiry() async throws {
        try await Self.withProvider(.salesforce) { fixture in
            let document = try await Self.metadata(fixture, at: "/.well-known/openid-configuration")
            let authorize = try #require(document["authorization_endpoint"]?.stringValue)
            let token = try #require(document["token_endpoint"]?.stringValue)
            let introspection = try #require(document["introspection_endpoint"]?.stringValue)
            let code = try #require(
                try await Self.authorize(fixture, endpoint: authorize, [("scope", "api refresh_token")])["code"])
            let tokens = try Self.json(try await Self.exchange(code, tokenEndpoint: token))
            #expect(tokens["expires_in"] == nil)
            #expect(tokens["refresh_token"] != nil)
            #expect(tokens["issued_at"]?.stringValue?.count == 13)
            #expect(tokens["instance_url"]?.stringValue == fixture.providerOrigin)
            let access = try #require(tokens["access_token"]?.stringValue)
            let basic = Data("\(ProviderFixture.clientID):\(Self.secret)".utf8).base64EncodedString()
            let answer = try Self.json(
                try await Self.post(
                    introspection, FormEncoding.encode([("token", access)]),
                    headers: [
                        ("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic \(basic)"),
                    ]))
            #expect(answer["active"] == true)
            #expect((answer["exp"]?.doubleValue ?? 0) > Date().timeIntervalSince1970)
        }
    }

    static func refresh(_ token: String, at tokenEndpoint: String) async throws -> JSONValue {
        let basic = Data("\(ProviderFixture.clientID):\(secret)".utf8).base64EncodedString()
        return try json(
            try await post(
                tokenEndpoint, FormEncoding.encode([("grant_type", "refresh_token"), ("refresh_token", token)]),
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic \(basic)")]))
    }

    /// A login, two rotating refreshes, then the first refresh token presented again: what the
    /// provider answers to that reuse, and then to the newest refresh token.
    static func reuseOfARotatedRefreshToken(_ fixture: ProviderFixture, metadataPath: String) async throws -> (
        reused: JSONValue, newest: JSONValue
    ) {
        let document = try await Self.metadata(fixture, at: metadataPath)
        let authorize = try #require(document["authorization_endpoint"]?.stringValue)
        let token = try #require(document["token_endpoint"]?.stringValue)
        let code = try #require(
            try await Self.authorize(
                fixture, endpoint: authorize, [("scope", "\(fixture.resourceScope) offline_access")])["code"])
        let first = try #require(
            try Self.json(try await Self.exchange(code, tokenEndpoint: token))["refresh_token"]?.stringValue)
        let second = try #require(try await Self.refresh(first, at: token)["refresh_token"]?.stringValue)
        let third = try #require(try await Self.refresh(second, at: token)["refresh_token"]?.stringValue)
        let reused = try await Self.refresh(first, at: token)
        return (reused, try await Self.refresh(third, at: token))
    }

    // Okta: https://developer.okta.com/docs/guides/refresh-tokens/main/#refresh-token-reuse-detection
    @Test func oktaRevokesTheTokenFamilyWhenARotatedRefreshTokenIsReused() async throws {
        try await Self.withProvider(.okta) { fixture in
            let answers = try await Self.reuseOfARotatedRefreshToken(
                fixture, metadataPath: "/oauth2/aus-mcp/.well-known/openid-configuration")
            #expect(answers.reused["error"] == "invalid_grant")
            #expect(answers.newest["error"] == "invalid_grant")
        }
    }

    // Keycloak with "Revoke Refresh Token" on and a maximum reuse of 0: a refresh token is good
    // once (https://www.keycloak.org/docs/latest/server_admin/#_timeouts); presented again it is
    // invalid_grant, and the emulation revokes the session's tokens with it.
    @Test func keycloakRefusesARotatedRefreshTokenPresentedAgain() async throws {
        try await Self.withProvider(.keycloak) { fixture in
            let answers = try await Self.reuseOfARotatedRefreshToken(
                fixture, metadataPath: "/realms/mcp/.well-known/openid-configuration")
            #expect(answers.reused["error"] == "invalid_grant")
            #expect(answers.newest["error"] == "invalid_grant")
        }
    }
}
