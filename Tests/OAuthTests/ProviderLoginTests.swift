import DemoServer
import Foundation
import HTTP
import MCPClient
import Monitor
import OAuth
import Synchronization
import Testing

/// mcptop against each emulated identity provider (``ProviderFixture``: the provider and the
/// MCP server on two origins): log in, call, refresh, call; and the provider's refusals.
@Suite struct ProviderLoginTests {
    static let secret = ProviderEmulationTests.secret

    /// The timeline of one flow, for assertions.
    final class StepLog: Sendable {
        let steps = Mutex<[AuthStep]>([])
        var handler: AuthStepHandler { { step in self.steps.withLock { $0.append(step) } } }
        var text: String { steps.withLock { $0.map(\.description).joined(separator: "\n") } }
    }

    struct Session {
        let fixture: ProviderFixture
        let store: TokenStore
        let settings: OAuthSettings
        var http = HTTPClient.shared
        let log = StepLog()

        func login() async throws -> Credential {
            var options = LoginFlow.Options()
            options.openBrowser = false
            options.timeout = .seconds(10)
            options.showURL = { [http] url, _ in Task { try await ProviderLoginTests.follow(url, with: http) } }
            return try await LoginFlow(
                serverName: "idp", serverURL: fixture.mcpURL, settings: settings, store: store, http: http,
                onStep: log.handler
            ).run(options: options)
        }

        /// Logs in again with the same settings and checks that it went straight through: the
        /// adaptation `remembered` for the issuer on the timeline, nothing adapted anew, one
        /// authorization request. Returns the second session.
        @discardableResult
        func loginAgainRemembering(_ remembered: String) async throws -> (Session, Credential) {
            let again = Session(fixture: fixture, store: store, settings: settings)
            let credential = try await again.login()
            #expect(again.log.text.contains("remembered for \(fixture.issuer) → \(remembered)"))
            #expect(!again.log.text.contains("adapted →"))
            #expect(again.log.text.components(separatedBy: "authorization request → waiting").count == 2)
            return (again, credential)
        }

        func manager() -> TokenManager {
            TokenManager(
                serverName: "idp", serverURL: fixture.mcpURL, store: store, settings: settings, http: http,
                onStep: log.handler)
        }

        func call(_ manager: TokenManager, _ text: String) async throws -> [String] {
            let connection = MCPConnection(
                endpoint: ServerEndpoint(
                    name: "idp", transport: .streamableHTTP(url: fixture.mcpURL), requestTimeout: 10),
                authorizer: OAuthAuthorizer(manager: manager))
            defer { Task { await connection.close() } }
            return try await connection.callTool("echo", arguments: ["text": .string(text)]).summaryLines
        }
    }

    /// The browser: follows the authorization server's redirects to mcptop's listener.
    static func follow(_ url: String, with http: HTTPClient) async throws {
        var next = url
        for _ in 0..<5 {
            let response = try await http.send(HTTPRequest(url: next))
            guard (300..<400).contains(response.status), let location = response.headers["Location"] else { return }
            next = location
        }
    }

    /// The client registered by hand, with its secret (from the environment in real use).
    static var handRegistered: OAuthSettings {
        OAuthSettings(clientID: ProviderFixture.clientID, clientSecret: secret)
    }

    static func withSession(
        _ profile: ProviderProfile, settings: OAuthSettings = handRegistered,
        quirks: (inout ProviderQuirks) -> Void = { _ in }, _ body: (Session) async throws -> Void
    ) async throws {
        let fixture = ProviderFixture(profile, quirks: quirks)
        try await fixture.start()
        fixture.provider.registerClient(id: ProviderFixture.clientID, secret: secret)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-idp-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var settings = settings
        if profile == .auth0 { settings.authorizationParams["audience"] = fixture.mcpURL }
        do {
            try await body(Session(fixture: fixture, store: TokenStore(directory: folder), settings: settings))
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    /// Login, a call, a refresh, a call with the refreshed token; returns the refresh report.
    @discardableResult
    static func loginCallRefreshCall(_ session: Session) async throws -> RefreshReport {
        let credential = try await session.login()
        #expect(credential.refreshToken != nil, "\(session.fixture.profile): no refresh token\n\(session.log.text)")
        let manager = session.manager()
        #expect(try await session.call(manager, "before") == ["before"])
        let first = try await manager.current()?.accessToken
        let report = try await manager.refreshNow()
        #expect(try await manager.current()?.accessToken != first)
        #expect(try await session.call(manager, "after") == ["after"])
        #expect(session.fixture.provider.stats().refreshes == 1)
        #expect(session.fixture.resourceServer.stats().unknownTokenRequests == 0)
        return report
    }

    // MARK: One scenario per provider

    /// Entra ID v2: per-tenant issuer found by OpenID discovery, no S256 in the metadata, JWT
    /// access tokens with `tid`, rotating refresh tokens with `offline_access`
    /// (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow).
    @Test func entraWithAssumedS256AndNoResourceLogsInCallsAndRefreshes() async throws {
        var settings = Self.handRegistered
        settings.assumePkceS256 = true
        settings.resource = .omitted
        try await Self.withSession(.entra, settings: settings) { session in
            let report = try await Self.loginCallRefreshCall(session)
            #expect(report.rotated)
            #expect(session.log.text.contains("S256 assumed (oauth.assumePkceS256 in the config)"))
            // The account from the JWT access token (Entra's tid is the tenant).
            #expect(try await session.manager().current()?.account == "user@example.com (tenant tenant-0000)")
        }
    }

    // MARK: Refresh tokens that end without saying when

    /// Entra: every refresh returns a new refresh token, each valid for 90 days of inactivity
    /// (learn.microsoft.com/entra/identity-platform/refresh-tokens), and none says so. A login
    /// refreshed within the window lasts past it; one left idle longer needs a browser again,
    /// with AADSTS700082 named on one line and the stored login kept. The window is 2 s here.
    @Test func entraRefreshTokensRollWhileUsedAndExpireAfterInactivity() async throws {
        var settings = Self.handRegistered
        settings.assumePkceS256 = true
        settings.resource = .omitted
        try await Self.withSession(.entra, settings: settings) { session in
            session.fixture.provider.setOptions { $0.oauth?.refreshTokenLifetime = 2 }
            let credential = try await session.login()
            #expect(credential.refreshTokenExpiresAt == nil, "Entra does not say how long it lasts")
            let manager = session.manager()
            for round in 1...4 {  // 3.2 s in all, longer than one window
                try await Task.sleep(for: .milliseconds(800))
                _ = try await manager.refreshNow()
                #expect(try await session.call(manager, "round \(round)") == ["round \(round)"])
            }
            try await Task.sleep(for: .milliseconds(2500))
            await Self.expectNeedsLogin(manager, naming: "AADSTS700082")
            #expect(try session.store.loadCredential(serverURL: session.fixture.mcpURL)?.refreshToken != nil)
        }
    }

    /// Salesforce: the refresh token does not rotate and lasts until revoked or for a period the
    /// org sets (help.salesforce.com, connected app OAuth policies), which no response tells.
    /// Once it is over: a new login, named, nothing deleted. The org's period is 2 s here.
    @Test func salesforceRefreshTokenEndsWithTheOrgsPolicy() async throws {
        try await Self.withSession(.salesforce) { session in
            session.fixture.provider.setOptions { $0.oauth?.refreshTokenLifetime = 2 }
            let credential = try await session.login()
            #expect(credential.refreshTokenExpiresAt == nil, "the org's policy is not in the response")
            let manager = session.manager()
            _ = try await manager.refreshNow()
            #expect(try await session.call(manager, "within") == ["within"])
            try await Task.sleep(for: .milliseconds(2200))
            await Self.expectNeedsLogin(manager, naming: "expired access/refresh token")
            #expect(try session.store.loadCredential(serverURL: session.fixture.mcpURL)?.refreshToken != nil)
        }
    }

    static func expectNeedsLogin(_ manager: TokenManager, naming text: String) async {
        await #expect {
            try await manager.refreshNow()
        } throws: { error in
            guard let error = error as? OAuthError, case .needsLogin(let reason) = error.kind else { return false }
            return reason.contains(text) && !error.description.contains("\r")
                && error.description.contains("mcptop auth idp")
        }
    }

    /// Entra's metadata omits `code_challenge_methods_supported`
    /// (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc); off Entra's hosts
    /// the MCP rule refuses it unless the config vouches for S256.
    @Test func entraMetadataWithoutS256IsRefusedNamingTheConfigKey() async throws {
        try await Self.withSession(.entra) { session in
            await #expect {
                try await session.login()
            } throws: { error in
                "\(error)".contains("\"assumePkceS256\": true")
            }
        }
    }

    /// Okta custom authorization server at `/oauth2/{id}`, metadata appended to the issuer,
    /// rotating refresh tokens with `offline_access`
    /// (https://developer.okta.com/docs/concepts/auth-servers/, https://developer.okta.com/docs/guides/refresh-tokens/main/).
    @Test func oktaCustomAuthorizationServerLogsInCallsAndRotatesOnRefresh() async throws {
        try await Self.withSession(.okta) { session in
            let report = try await Self.loginCallRefreshCall(session)
            #expect(report.rotated)
        }
    }

    /// Okta over TLS, as every real provider is; a CA the system does not know is named with
    /// the key to set (https://curl.se/docs/sslcerts.html).
    @Test func oktaOverHTTPSWithATestCALogsInCallsAndRefreshes() async throws {
        try await Self.withSession(.okta) { session in
            let front = try await session.fixture.serveProviderOverHTTPS()
            defer { front.stop() }
            #expect(session.fixture.issuer.hasPrefix("https://127.0.0.1:"))
            var secure = session
            secure.http = HTTPClient(caFile: front.caFile)
            try await Self.loginCallRefreshCall(secure)
            #expect(secure.log.text.contains("POST https://127.0.0.1:\(front.port)/oauth2/aus-mcp/v1/token (refresh)"))
            // Without the test CA the same provider is refused, naming what to set.
            let untrusting = Session(fixture: session.fixture, store: session.store, settings: session.settings)
            await #expect {
                try await untrusting.login()
            } throws: { error in
                "\(error)".contains("is signed by an unknown authority") && "\(error)".contains("caFile")
            }
        }
    }

    /// Okta and Keycloak publish RFC 8414 metadata appended to the issuer, not at the
    /// path-insertion location (https://developer.okta.com/docs/reference/api/oidc/#well-known-oauth-authorization-server).
    @Test func metadataOnlyAppendedToTheIssuerIsFound() async throws {
        let appendedOnly: (inout ProviderQuirks) -> Void = { $0.metadataLocations = [.appendedOAuth] }
        try await Self.withSession(.okta, quirks: appendedOnly) { session in
            _ = try await session.login()
            #expect(session.log.text.contains("/oauth2/aus-mcp/.well-known/oauth-authorization-server"))
        }
    }

    /// Auth0: the API is chosen by `audience`, the issuer ends in "/", rotating refresh tokens
    /// with `offline_access` (https://auth0.com/docs/secure/tokens/access-tokens/get-access-tokens,
    /// https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation).
    @Test func auth0WithAudienceAndTrailingSlashIssuerLogsInCallsAndRefreshes() async throws {
        try await Self.withSession(.auth0, settings: OAuthSettings()) { session in
            #expect(session.fixture.issuer.hasSuffix("/"))
            try await Self.loginCallRefreshCall(session)
        }
    }

    /// Auth0 without `audience`: an opaque token for /userinfo, which the MCP server rejects
    /// ("Invalid audience"; https://auth0.com/docs/secure/tokens/access-tokens/opaque-access-tokens).
    @Test func auth0WithoutAudienceIssuesATokenTheServerRejects() async throws {
        try await Self.withSession(.auth0, settings: OAuthSettings()) { session in
            var settings = session.settings
            settings.authorizationParams = [:]
            let bare = Session(fixture: session.fixture, store: session.store, settings: settings)
            _ = try await bare.login()
            await #expect(throws: (any Error).self) { try await bare.call(bare.manager(), "x") }
            #expect(session.fixture.resourceServer.stats().unknownTokenRequests > 0)
        }
    }

    /// Keycloak realm endpoints, RFC 9207 `iss` in the redirect, a confidential client
    /// registered by hand (https://www.keycloak.org/securing-apps/oidc-layers).
    @Test func keycloakWithAHandRegisteredClientLogsInCallsAndRefreshes() async throws {
        try await Self.withSession(.keycloak) { session in
            try await Self.loginCallRefreshCall(session)
        }
    }

    /// GitHub OAuth apps: no DCR, `client_secret_post`, a form-encoded answer, a token without
    /// `expires_in` and no refresh token
    /// (https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps).
    @Test func githubOAuthAppTokenWithoutExpiryOrRefreshTokenServesCalls() async throws {
        let formOnly: (inout ProviderQuirks) -> Void = { $0.tokenResponseFormat = .form }
        try await Self.withSession(.github, quirks: formOnly) { session in
            let credential = try await session.login()
            #expect(credential.expiresAt == nil)
            #expect(credential.refreshToken == nil)
            #expect(credential.tokenEndpointAuthMethod == "client_secret_post")
            let manager = session.manager()
            #expect(try await session.call(manager, "x") == ["x"])
            // No countdown to lie with: no proactive refresh, the next 401 says.
            #expect(try await manager.refreshDue() == nil)
            #expect(credential.verdict.hasPrefix("no refresh token, expiry unknown"))
        }
    }

    /// GitHub Apps: user access tokens last 8 h, refresh tokens 6 months, said in
    /// `refresh_token_expires_in`, rotating on refresh
    /// (https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens);
    /// the token endpoint answers form-encoded unless the request accepts JSON, and mcptop always does.
    @Test func githubAppTokensLogInCallAndRotateOnRefresh() async throws {
        let githubApp: (inout ProviderQuirks) -> Void = { $0.githubAppTokens = true }
        try await Self.withSession(.github, quirks: githubApp) { session in
            let sixMonths = 15_897_600.0
            session.fixture.provider.setOptions {
                $0.oauth?.accessTokenLifetime = 8 * 3600
                $0.oauth?.refreshTokenLifetime = sixMonths
            }
            let report = try await Self.loginCallRefreshCall(session)
            #expect(report.rotated)
            let credential = try #require(try session.store.loadCredential(serverURL: session.fixture.mcpURL))
            let end = try #require(credential.refreshTokenExpiresAt)
            #expect(abs(end.timeIntervalSinceNow - sixMonths) < 60)
            let day = ISO8601DateFormatter().string(from: end).prefix(10)
            #expect(credential.verdict.contains("access token lasts 8h00m"))
            #expect(credential.verdict.contains("this login lasts until about \(day)"), "\(credential.verdict)")
            #expect(session.log.text.contains("login verdict → refresh token issued"))
            #expect(session.log.text.contains("this login lasts until about "))
            #expect(session.fixture.provider.stats().tokenRequestsWithoutJSONAccept == 0)
        }
    }

    /// Google: a refresh token with `access_type=offline`, not rotating on refresh
    /// (https://developers.google.com/identity/protocols/oauth2/native-app).
    @Test func googleWithOfflineAccessTypeLogsInCallsAndKeepsItsRefreshToken() async throws {
        var settings = Self.handRegistered
        settings.authorizationParams = ["access_type": "offline", "prompt": "consent"]
        try await Self.withSession(.google, settings: settings) { session in
            let report = try await Self.loginCallRefreshCall(session)
            #expect(report.rotated == false)
        }
    }

    /// Google's access tokens are opaque; with `openid` the token response has an ID token
    /// (https://developers.google.com/identity/openid-connect/openid-connect#obtainuserinfo).
    @Test func theAccountComesFromTheIDTokenWhenTheAccessTokenIsOpaque() async throws {
        var settings = Self.handRegistered
        settings.scopes = ["openid", ProviderFixture.resourceScope(.google)]
        try await Self.withSession(.google, settings: settings) { session in
            let credential = try await session.login()
            #expect(credential.account == "user@example.com (tenant tenant-0000)")
            #expect(JWT.account(of: credential.accessToken ?? "") == nil)
        }
    }

    /// Salesforce: no `expires_in` (the session timeout is the org's), `issued_at` in ms, a
    /// refresh token that does not rotate, RFC 7662 introspection
    /// (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm,
    /// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_token_introspection.htm).
    @Test func salesforceLogsInCallsAndRefreshesWithoutExpiresIn() async throws {
        try await Self.withSession(.salesforce) { session in
            let report = try await Self.loginCallRefreshCall(session)
            #expect(report.expiresInPresent == false)
            #expect(report.rotated == false)
            // No expires_in and an opaque token: the expiry comes from RFC 7662 introspection,
            // after the login and after the refresh.
            #expect(report.expiresAt != nil)
            let learnt = session.log.text.components(separatedBy: "expiry → learnt by introspection").count - 1
            #expect(learnt == 2, "\(session.log.text)")
            #expect(
                session.log.text.contains(
                    "login verdict → refresh token issued (rotation known after the first refresh); access token lasts "
                ))
        }
    }

    // MARK: Known refusals, adapted to once and remembered per issuer

    /// Entra: `resource` with `scope` is AADSTS9010010 `invalid_target`
    /// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
    @Test func entraRefusingResourceIsAdaptedToOnceAndRememberedForTheNextLogin() async throws {
        var settings = Self.handRegistered
        settings.assumePkceS256 = true
        try await Self.withSession(.entra, settings: settings) { session in
            _ = try await session.login()
            let first = session.log.text
            #expect(first.contains("adapted → retried without `resource`: the server refused it with AADSTS9010010"))
            #expect(!first.contains("\r") && !first.contains("Trace ID"))
            let (again, _) = try await session.loginAgainRemembering("retried without `resource`")
            #expect(!again.log.text.contains("invalid_target"))
            let manager = again.manager()
            _ = try await manager.refreshNow()
            #expect(try await again.call(manager, "x") == ["x"])
        }
    }

    /// Entra refuses `resource` with `scope` on the refresh grant too
    /// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes, AADSTS9010010).
    @Test func entraRefusingResourceOnRefreshIsAdaptedToAndTheRefreshSucceeds() async throws {
        var settings = Self.handRegistered
        settings.assumePkceS256 = true
        settings.resource = .omitted
        try await Self.withSession(.entra, settings: settings) { session in
            _ = try await session.login()
            var sending = settings
            sending.resource = .discovered
            let refreshing = Session(fixture: session.fixture, store: session.store, settings: sending)
            let manager = refreshing.manager()
            _ = try await manager.refreshNow()
            #expect(refreshing.log.text.contains("adapted → retried without `resource`"))
            #expect(try await refreshing.call(manager, "y") == ["y"])
        }
    }

    /// Google: `offline_access` is not a Google scope (`invalid_scope`); a refresh token comes with
    /// `access_type=offline` (https://developers.google.com/identity/protocols/oauth2/native-app).
    @Test func offlineAccessRefusedAsAScopeIsDroppedOnce() async throws {
        var settings = Self.handRegistered
        settings.authorizationParams = ["access_type": "offline"]
        settings.scopes = [ProviderFixture.resourceScope(.google), "offline_access"]
        try await Self.withSession(.google, settings: settings) { session in
            let credential = try await session.login()
            #expect(
                session.log.text.contains("retried without `offline_access`: the server refused it with invalid_scope"))
            #expect(credential.refreshToken != nil)
            let (_, second) = try await session.loginAgainRemembering("retried without `offline_access`")
            #expect(second.refreshToken != nil)
            #expect(session.fixture.provider.stats().codeExchanges == 2)
        }
    }

    /// Google without `access_type=offline` in the config (a Google-shaped server not on
    /// accounts.google.com, where mcptop would add it): `offline_access` refused as a scope, then
    /// no refresh token without `access_type=offline`
    /// (https://developers.google.com/identity/protocols/oauth2/native-app): asked again once
    /// with `access_type=offline&prompt=consent`, and remembered for the issuer.
    @Test func noRefreshTokenFromAGoogleShapedServerIsAskedAgainWithAccessTypeOfflineOnce() async throws {
        var settings = Self.handRegistered
        settings.scopes = [ProviderFixture.resourceScope(.google), "offline_access"]
        try await Self.withSession(.google, settings: settings) { session in
            let credential = try await session.login()
            #expect(credential.refreshToken != nil, "\(session.log.text)")
            #expect(
                session.log.text.contains(
                    "adapted → retried with access_type=offline&prompt=consent: the server refuses `offline_access` "
                        + "as a scope, as Google does, and issued no refresh token without them"))
            #expect(session.fixture.provider.stats().codeExchanges == 2)
            let (_, second) = try await session.loginAgainRemembering("retried with access_type=offline")
            #expect(second.refreshToken != nil)
            #expect(session.fixture.provider.stats().codeExchanges == 3)
        }
    }

    /// Okta issues a refresh token only when the app allows the Refresh Token grant
    /// (https://developer.okta.com/docs/guides/refresh-tokens/main/): nothing mcptop can change,
    /// so the timeline says what to set where, and no second login is tried.
    @Test func noRefreshTokenAlthoughAskedIsSaidOnTheTimeline() async throws {
        let neverRefresh: (inout ProviderQuirks) -> Void = { $0.refresh = .never }
        try await Self.withSession(.okta, quirks: neverRefresh) { session in
            let credential = try await session.login()
            #expect(credential.refreshToken == nil)
            #expect(session.log.text.contains("no refresh token although offline_access was asked"))
            #expect(session.log.text.contains("allow refresh tokens for the client at the provider"))
            #expect(session.log.text.contains("`refresh_token` in oauth.scopes"))
            #expect(session.log.text.contains("oauth.authorizationParams access_type=offline, prompt=consent"))
            #expect(!session.log.text.contains("adapted →"))
            #expect(session.fixture.provider.stats().codeExchanges == 1)
        }
    }

    /// `oauth.tokenParams` reach the token endpoint on the code exchange and on the refresh.
    @Test func configuredTokenParametersReachTheCodeExchangeAndTheRefresh() async throws {
        var settings = Self.handRegistered
        settings.tokenParams = ["audience": "https://mcp.example.com/api"]
        try await Self.withSession(.okta, settings: settings) { session in
            try await Self.loginCallRefreshCall(session)
            let forms = session.fixture.provider.stats().tokenRequestForms
            #expect(forms["authorization_code"]?["audience"] == "https://mcp.example.com/api")
            #expect(forms["refresh_token"]?["audience"] == "https://mcp.example.com/api")
        }
    }

    /// Okta's registration needs an admin token: 401 E0000011 in `errorSummary`
    /// (https://developer.okta.com/docs/reference/error-codes/); Google has no DCR
    /// (https://developers.google.com/identity/protocols/oauth2/native-app#creatingcred).
    @Test func refusedRegistrationNamesTheConfigKeysAndTheRedirectURI() async throws {
        try await Self.withSession(.okta, settings: OAuthSettings()) { session in
            await #expect {
                try await session.login()
            } throws: { error in
                let text = "\(error)"
                return text.contains("HTTP 401 E0000011: Invalid token provided") && text.contains("\"clientId\"")
                    && text.contains("the redirect URI http://127.0.0.1:") && text.contains("\"redirectUri\"")
            }
        }
        try await Self.withSession(.google, settings: OAuthSettings()) { session in
            await #expect {
                try await session.login()
            } throws: { error in
                "\(error)".contains("offers no dynamic client registration; register mcptop with it by hand")
            }
        }
    }

    /// Keycloak's client registration refused by the Trusted Hosts policy, 403 with a JSON error
    /// (https://www.keycloak.org/securing-apps/client-registration#_client_registration_policies).
    @Test func keycloakRefusingRegistrationByPolicyNamesTheConfigKeysAndTheRedirectURI() async throws {
        try await Self.withSession(.keycloak, settings: OAuthSettings()) { session in
            await #expect {
                try await session.login()
            } throws: { error in
                let text = "\(error)"
                return text.contains("HTTP 403") && text.contains("Trusted Hosts") && text.contains("\"clientId\"")
                    && text.contains("the redirect URI http://127.0.0.1:") && text.contains("\"redirectUri\"")
            }
            #expect(session.fixture.provider.stats().codeExchanges == 0)
        }
    }

    // MARK: Logins from anywhere

    /// A login whose browser cannot reach the loopback listener: the user pastes the address
    /// the browser ended on, after a line that is not one; `forge` changes that address first.
    static func pastedLogin(_ session: Session, forge: @escaping @Sendable (String) -> String = { $0 }) async throws
        -> Credential
    {
        let shown = Mutex<String?>(nil)
        let pasted = Mutex(0)
        var options = LoginFlow.Options()
        options.openBrowser = false
        options.timeout = .seconds(10)
        options.showURL = { url, _ in shown.withLock { $0 = url } }
        options.pastedRedirect = {
            let count = pasted.withLock { count in
                count += 1
                return count
            }
            if count == 1 { return "what do I paste here?" }
            guard count == 2 else { return nil }
            var url: String?
            for _ in 0..<500 where url == nil {
                url = shown.withLock { $0 }
                if url == nil { try? await Task.sleep(for: .milliseconds(10)) }
            }
            guard let url, let response = try? await HTTPClient.shared.send(HTTPRequest(url: url)),
                let location = response.headers["Location"]
            else { return nil }
            return forge(location)
        }
        return try await LoginFlow(
            serverName: "idp", serverURL: session.fixture.mcpURL, settings: session.settings, store: session.store,
            onStep: session.log.handler
        ).run(options: options)
    }

    /// RFC 8252 §7.3 loopback redirect that the browser (on another machine) cannot reach: the
    /// address is pasted, against Keycloak (https://www.keycloak.org/securing-apps/oidc-layers).
    @Test func aPastedRedirectAddressCompletesTheLogin() async throws {
        try await Self.withSession(.keycloak) { session in
            let credential = try await Self.pastedLogin(session)
            #expect(credential.refreshToken != nil)
            #expect(session.log.text.contains("pasted address → not http://127.0.0.1:"))
            #expect(try await session.call(session.manager(), "pasted") == ["pasted"])
        }
    }

    /// RFC 6749 §10.12 `state`: a pasted address with another state is refused (Keycloak).
    @Test func aPastedRedirectWithAWrongStateIsRefusedBeforeTheCodeIsUsed() async throws {
        try await Self.withSession(.keycloak) { session in
            await #expect {
                try await Self.pastedLogin(session) { address in
                    address.replacingOccurrences(of: "state=", with: "state=forged")
                }
            } throws: { error in
                "\(error)".contains("state does not match")
            }
            #expect(session.fixture.provider.stats().codeExchanges == 0)
        }
    }

    /// RFC 9207 `iss` (Keycloak sends it: https://www.keycloak.org/docs/latest/server_admin/, OAuth
    /// 2.0 Authorization Server Issuer Identification): a pasted address naming another issuer is
    /// a mix-up attack, refused before the code is used.
    @Test func aPastedRedirectFromAnotherIssuerIsRefusedBeforeTheCodeIsUsed() async throws {
        try await Self.withSession(.keycloak) { session in
            await #expect {
                try await Self.pastedLogin(session) { address in
                    address.replacingOccurrences(of: "iss=", with: "iss=https%3A%2F%2Fevil.example&was=")
                }
            } throws: { error in
                "\(error)".contains("came from issuer https://evil.example") && "\(error)".contains("mix-up")
            }
            #expect(session.fixture.provider.stats().codeExchanges == 0)
        }
    }

    // RFC 8628 (Okta: https://developer.okta.com/docs/guides/device-authorization-grant/main/).
    @Test func aDeviceCodeLoginPollsUntilTheUserApprovesThenCallsAndRefreshes() async throws {
        try await Self.withSession(.okta) { session in
            var options = LoginFlow.Options()
            options.timeout = .seconds(20)
            let shown = Mutex<DeviceLoginPrompt?>(nil)
            let credential = try await LoginFlow(
                serverName: "idp", serverURL: session.fixture.mcpURL, settings: session.settings, store: session.store,
                onStep: session.log.handler
            ).runDevice(options: options) { prompt in
                shown.withLock { $0 = prompt }
                // The user types the code on another device a little later.
                Task {
                    try await Task.sleep(for: .milliseconds(1500))
                    _ = try await HTTPClient.shared.send(HTTPRequest(url: prompt.verificationURIComplete ?? ""))
                }
            }
            let prompt = try #require(shown.withLock { $0 })
            #expect(prompt.userCode.count == 9)
            #expect(prompt.verificationURI == session.fixture.providerOrigin + "/device")
            #expect(session.log.text.contains("(device code poll) → HTTP 400 authorization_pending"))
            #expect(credential.refreshToken != nil)
            let manager = session.manager()
            #expect(try await session.call(manager, "device") == ["device"])
            _ = try await manager.refreshNow()
            #expect(try await session.call(manager, "again") == ["again"])
        }
    }

    /// RFC 8628 §3.1 needs a client id, which Okta's refused registration cannot give
    /// (https://developer.okta.com/docs/guides/device-authorization-grant/main/).
    @Test func aDeviceLoginWithoutAHandRegisteredClientSaysWhatToSet() async throws {
        try await Self.withSession(.okta, settings: OAuthSettings()) { session in
            await #expect {
                try await LoginFlow(
                    serverName: "idp", serverURL: session.fixture.mcpURL, settings: session.settings,
                    store: session.store
                ).runDevice(options: LoginFlow.Options()) { _ in }
            } throws: { error in
                "\(error)".contains("a device login needs a client registered by hand")
            }
        }
    }
}
