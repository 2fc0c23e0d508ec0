import DemoServer
import Foundation
import HTTP
import Testing

/// A DemoServer with its embedded OAuth authorization server, driven by raw HTTP.
private struct AuthServer {
    let server: DemoServer
    let base: String

    var mcp: String { base + "/mcp" }
    var resourceMetadata: String { base + "/.well-known/oauth-protected-resource/mcp" }

    static let redirectURI = "http://127.0.0.1:5999/callback"
    /// A PKCE pair computed elsewhere (Python hashlib), so the server's S256 is checked against
    /// an independent implementation.
    static let verifier = "demo-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
    static let challenge = "VWMZew2RAHG6_99KRWlM9fKSb9_2SN2YAIvf86v2cXU"

    struct Tokens {
        var access: String
        var refresh: String?
        var json: [String: Any]
    }

    // MARK: HTTP

    func send(
        _ method: String, _ url: String, body: String? = nil, headers: [(String, String)] = []
    ) async throws -> HTTPResponse {
        let request = HTTPRequest(
            method: method, url: url, headers: HTTPHeaders(headers), body: body.map { Array($0.utf8) },
            connectTimeout: 5, timeout: 5)
        return try await HTTPClient.shared.send(request)
    }

    func get(_ url: String) async throws -> HTTPResponse {
        try await send("GET", url)
    }

    func postJSON(_ path: String, _ body: String) async throws -> HTTPResponse {
        try await send("POST", base + path, body: body, headers: [("Content-Type", "application/json")])
    }

    func postForm(_ path: String, _ pairs: [(String, String)]) async throws -> HTTPResponse {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = pairs.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
        return try await send(
            "POST", base + path, body: body, headers: [("Content-Type", "application/x-www-form-urlencoded")])
    }

    /// A stateless 2026-07-28 request to /mcp.
    func call(_ method: String, params: String = "{}", tool: String? = nil, token: String?) async throws
        -> HTTPResponse
    {
        var headers = [
            ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", method),
        ]
        if let tool { headers.append(("Mcp-Name", tool)) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let meta = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#
        let merged = params == "{}" ? "{\(meta)}" : "{\(meta)," + params.dropFirst()
        let body = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(merged)}"#
        return try await send("POST", mcp, body: body, headers: headers)
    }

    func callAdmin(token: String?) async throws -> HTTPResponse {
        try await call("tools/call", params: #"{"name":"admin","arguments":{}}"#, tool: "admin", token: token)
    }

    // MARK: OAuth steps

    func register(_ redirectURIs: [String] = [redirectURI]) async throws -> String {
        let list = redirectURIs.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try await postJSON("/register", #"{"redirect_uris":[\#(list)],"client_name":"tests"}"#)
        try #require(response.status == 201)
        return try #require(json(response)["client_id"] as? String)
    }

    func authorizeURL(clientID: String, extra: [(String, String)] = [], omit: Set<String> = []) -> String {
        var items = [
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", Self.redirectURI),
            ("code_challenge", Self.challenge), ("code_challenge_method", "S256"), ("state", "st 1/2"),
            ("resource", mcp),
        ].filter { !omit.contains($0.0) }
        for (name, value) in extra {
            items.removeAll { $0.0 == name }
            items.append((name, value))
        }
        var components = URLComponents(string: base + "/authorize")!
        components.queryItems = items.map { URLQueryItem(name: $0.0, value: $0.1) }
        // `+` is a space in form decoding; spell it out.
        return components.string!.replacingOccurrences(of: "+", with: "%2B")
    }

    /// GET /authorize; returns the 302's redirect query.
    func authorize(clientID: String, extra: [(String, String)] = [], omit: Set<String> = []) async throws
        -> [String: String]
    {
        let response = try await get(authorizeURL(clientID: clientID, extra: extra, omit: omit))
        try #require(response.status == 302)
        let location = try #require(response.headers["Location"])
        #expect(location.hasPrefix(Self.redirectURI + "?"))
        return query(location)
    }

    func exchange(_ code: String, clientID: String, verifier: String = verifier) async throws -> HTTPResponse {
        try await postForm(
            "/token",
            [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirectURI),
                ("client_id", clientID), ("code_verifier", verifier), ("resource", mcp),
            ])
    }

    func refresh(_ token: String, clientID: String) async throws -> HTTPResponse {
        try await postForm(
            "/token",
            [("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", clientID), ("resource", mcp)])
    }

    /// Register, authorize and exchange.
    func login(scope: String? = nil) async throws -> (clientID: String, tokens: Tokens) {
        let clientID = try await register()
        let redirect = try await authorize(clientID: clientID, extra: scope.map { [("scope", $0)] } ?? [])
        let response = try await exchange(try #require(redirect["code"]), clientID: clientID)
        try #require(response.status == 200)
        return (clientID, try tokens(response))
    }

    func tokens(_ response: HTTPResponse) throws -> Tokens {
        let object = try json(response)
        return Tokens(
            access: try #require(object["access_token"] as? String), refresh: object["refresh_token"] as? String,
            json: object)
    }

    // MARK: Decoding

    func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    func error(_ response: HTTPResponse) -> String? {
        (try? json(response))?["error"] as? String
    }

    func query(_ url: String) -> [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(string: url)?.queryItems ?? [] {
            result[item.name] = item.value ?? ""
        }
        return result
    }

    func challenge(_ response: HTTPResponse) -> String {
        response.headers["WWW-Authenticate"] ?? ""
    }
}

extension DemoOAuthOptions {
    /// Default options with some changed: `.with { $0.refreshFault = .invalidGrant }`.
    fileprivate static func with(_ change: (inout DemoOAuthOptions) -> Void) -> DemoOAuthOptions {
        var options = DemoOAuthOptions()
        change(&options)
        return options
    }
}

private func withAuthServer<T>(
    _ oauth: DemoOAuthOptions = DemoOAuthOptions(),
    _ body: (AuthServer) async throws -> T
) async throws -> T {
    var options = DemoServerOptions()
    options.responseMode = .json
    options.oauth = oauth
    let server = DemoServer(options: options)
    let port = try await server.start()
    do {
        let result = try await body(AuthServer(server: server, base: "http://127.0.0.1:\(port)"))
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

@Suite struct DemoAuthorizationServerTests {
    @Test func metadataDocuments() async throws {
        try await withAuthServer { auth in
            let metadata = try auth.json(try await auth.get(auth.base + "/.well-known/oauth-authorization-server"))
            #expect(metadata["issuer"] as? String == auth.base)
            #expect(metadata["authorization_endpoint"] as? String == auth.base + "/authorize")
            #expect(metadata["token_endpoint"] as? String == auth.base + "/token")
            #expect(metadata["registration_endpoint"] as? String == auth.base + "/register")
            #expect(metadata["revocation_endpoint"] as? String == auth.base + "/revoke")
            #expect(metadata["scopes_supported"] as? [String] == ["tools", "admin", "offline_access"])
            #expect(metadata["response_types_supported"] as? [String] == ["code"])
            #expect(metadata["grant_types_supported"] as? [String] == ["authorization_code", "refresh_token"])
            #expect(metadata["token_endpoint_auth_methods_supported"] as? [String] == ["none"])
            #expect(metadata["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect(metadata["authorization_response_iss_parameter_supported"] as? Bool == true)

            let atPath = try auth.json(try await auth.get(auth.resourceMetadata))
            let atRoot = try auth.json(try await auth.get(auth.base + "/.well-known/oauth-protected-resource"))
            for document in [atPath, atRoot] {
                #expect(document["resource"] as? String == auth.mcp)
                #expect(document["authorization_servers"] as? [String] == [auth.base])
                #expect(document["scopes_supported"] as? [String] == ["tools", "admin"])
                #expect(document["bearer_methods_supported"] as? [String] == ["header"])
            }

            auth.server.setOptions { $0.oauth?.includeIss = false }
            let withoutIss = try auth.json(try await auth.get(auth.base + "/.well-known/oauth-authorization-server"))
            #expect(withoutIss["authorization_response_iss_parameter_supported"] as? Bool == false)

            auth.server.setOptions { $0.oauth = nil }
            #expect(try await auth.get(auth.resourceMetadata).status == 404)
            #expect(try await auth.get(auth.base + "/.well-known/oauth-authorization-server").status == 404)
        }
    }

    @Test func registration() async throws {
        try await withAuthServer { auth in
            let response = try await auth.postJSON(
                "/register",
                #"{"redirect_uris":["http://localhost:7000/cb","http://127.0.0.1:7001/cb"],"client_name":"x","#
                    + #""grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}"#)
            #expect(response.status == 201)
            let client = try auth.json(response)
            #expect((client["client_id"] as? String)?.isEmpty == false)
            #expect(client["client_id_issued_at"] is Int)
            #expect(client["client_name"] as? String == "x")
            #expect(client["redirect_uris"] as? [String] == ["http://localhost:7000/cb", "http://127.0.0.1:7001/cb"])
            #expect(client["token_endpoint_auth_method"] as? String == "none")
            #expect(client["client_secret"] == nil)
            #expect(try await auth.register() != client["client_id"] as? String)

            for redirects in [#"["https://evil.example/cb"]"#, #"["http://127.0.0.1/cb"]"#, "[]"] {
                let refused = try await auth.postJSON("/register", #"{"redirect_uris":\#(redirects)}"#)
                #expect(refused.status == 400)
                #expect(auth.error(refused) == "invalid_redirect_uri")
            }
            let noRedirects = try await auth.postJSON("/register", #"{"client_name":"x"}"#)
            #expect(auth.error(noRedirects) == "invalid_redirect_uri")
            let notJSON = try await auth.postJSON("/register", "redirect_uris=x")
            #expect(notJSON.status == 400)
            #expect(auth.error(notJSON) == "invalid_client_metadata")
            let secret = try await auth.postJSON(
                "/register",
                #"{"redirect_uris":["http://127.0.0.1:1/cb"],"token_endpoint_auth_method":"client_secret_basic"}"#)
            #expect(auth.error(secret) == "invalid_client_metadata")
            #expect(auth.server.stats().registrations == 2)
        }
    }

    @Test func authorizationEndpoint() async throws {
        try await withAuthServer { auth in
            let clientID = try await auth.register()
            let redirect = try await auth.authorize(clientID: clientID)
            #expect((redirect["code"] ?? "").count >= 32)
            #expect(redirect["state"] == "st 1/2")
            #expect(redirect["iss"] == auth.base)
            #expect(auth.server.stats().authorizations == 1)

            // No redirect when the client or its redirect URI is not known.
            for url in [
                auth.authorizeURL(clientID: "nobody"),
                auth.authorizeURL(clientID: clientID, extra: [("redirect_uri", "http://127.0.0.1:6000/callback")]),
            ] {
                let response = try await auth.get(url)
                #expect(response.status == 400)
                #expect(response.headers["Location"] == nil)
            }
            // Other mistakes are redirected, with state and iss.
            let cases: [(extra: [(String, String)], omit: Set<String>, error: String)] = [
                ([], ["code_challenge"], "invalid_request"),
                ([("code_challenge_method", "plain")], [], "invalid_request"),
                ([], ["code_challenge_method"], "invalid_request"),
                ([("resource", "http://127.0.0.1:1/other")], [], "invalid_target"),
                ([("scope", "tools root")], [], "invalid_scope"),
                ([("response_type", "token")], [], "unsupported_response_type"),
            ]
            for item in cases {
                let query = try await auth.authorize(clientID: clientID, extra: item.extra, omit: item.omit)
                #expect(query["error"] == item.error, "\(item.extra) \(item.omit)")
                #expect(query["code"] == nil)
                #expect(query["state"] == "st 1/2")
                #expect(query["iss"] == auth.base)
            }

            auth.server.setOptions { $0.oauth?.includeIss = false }
            let withoutIss = try await auth.authorize(clientID: clientID)
            #expect(withoutIss["iss"] == nil)
            #expect(withoutIss["code"] != nil)
        }
    }

    @Test func codeExchange() async throws {
        try await withAuthServer { auth in
            let clientID = try await auth.register()
            let code = try #require(
                try await auth.authorize(clientID: clientID, extra: [("scope", "tools offline_access")])["code"])

            let wrong = try await auth.exchange(
                code, clientID: clientID, verifier: "wrong-verifier-0123456789-abcdefghijklmnopqrstuvwxyz")
            #expect(wrong.status == 400)
            #expect(auth.error(wrong) == "invalid_grant")
            let unknownClient = try await auth.exchange(code, clientID: "nobody")
            #expect(auth.error(unknownClient) == "invalid_client")

            let response = try await auth.exchange(code, clientID: clientID)
            #expect(response.status == 200)
            #expect(response.headers["Cache-Control"] == "no-store")
            let tokens = try auth.tokens(response)
            #expect(tokens.json["token_type"] as? String == "Bearer")
            #expect(tokens.json["expires_in"] as? Int == 30)
            #expect(tokens.json["scope"] as? String == "tools offline_access")
            #expect(tokens.refresh != nil)
            #expect(tokens.json["refresh_token_expires_in"] == nil)
            #expect(try await auth.call("ping", token: tokens.access).status == 200)

            // A code works once; its second use revokes what the first one got.
            let reused = try await auth.exchange(code, clientID: clientID)
            #expect(auth.error(reused) == "invalid_grant")
            #expect(try await auth.call("ping", token: tokens.access).status == 401)

            let badGrant = try await auth.postForm("/token", [("grant_type", "password"), ("client_id", clientID)])
            #expect(auth.error(badGrant) == "unsupported_grant_type")
            let noCode = try await auth.postForm("/token", [("grant_type", "authorization_code")])
            #expect(auth.error(noCode) == "invalid_request")

            let stats = auth.server.stats()
            #expect(stats.codeExchanges == 1)
            #expect(stats.tokensIssued == 1)
            #expect(stats.invalidGrants == 2)
        }
    }

    @Test func mcpNeedsAValidToken() async throws {
        try await withAuthServer { auth in
            let expected = "Bearer resource_metadata=\"\(auth.resourceMetadata)\", scope=\"tools\""
            let anonymous = try await auth.call("ping", token: nil)
            #expect(anonymous.status == 401)
            #expect(auth.challenge(anonymous) == expected)
            let bogus = try await auth.call("ping", token: "not-a-token")
            #expect(bogus.status == 401)
            #expect(auth.challenge(bogus) == expected + ", error=\"invalid_token\"")
            // The legacy endpoints are protected too (no token: the GET /sse stream never opens).
            #expect(try await auth.get(auth.base + "/sse").status == 401)
            #expect(try await auth.send("POST", auth.base + "/messages?sessionId=x", body: "{}").status == 401)

            let (_, tokens) = try await auth.login()
            let ping = try await auth.call("ping", token: tokens.access)
            #expect(ping.status == 200)
            let stats = auth.server.stats()
            #expect(stats.unknownTokenRequests == 1)
            #expect(stats.expiredTokenRequests == 0)
            #expect(stats.requests == 1)
        }
    }

    @Test func accessTokenExpiresExactly() async throws {
        // A second: a loaded two-core machine took more than 0.3 s between the token and its
        // first use.
        try await withAuthServer(.with { $0.accessTokenLifetime = 1 }) { auth in
            let (_, tokens) = try await auth.login()
            // The token was issued before this instant, so it has expired 1.01 s after it.
            let received = Date()
            #expect(tokens.json["expires_in"] as? Double == 1)
            #expect(try await auth.call("ping", token: tokens.access).status == 200)
            try await Task.sleep(for: .seconds(max(0, 1.01 - Date().timeIntervalSince(received))))
            let expired = try await auth.call("ping", token: tokens.access)
            #expect(expired.status == 401)
            #expect(auth.challenge(expired).contains("error=\"invalid_token\""))
            #expect(auth.server.stats().expiredTokenRequests == 1)
            #expect(auth.server.stats().unknownTokenRequests == 0)
        }
    }

    @Test func rotationKeepsTheOldRefreshTokenUntilItsSuccessorIsUsed() async throws {
        try await withAuthServer { auth in
            let (clientID, first) = try await auth.login()
            let old = try #require(first.refresh)

            let one = try auth.tokens(try await auth.refresh(old, clientID: clientID))
            #expect(one.refresh != nil && one.refresh != old)
            // The client "died" before saving `one`: the old refresh token still works.
            let two = try auth.tokens(try await auth.refresh(old, clientID: clientID))
            #expect(two.refresh != nil && two.refresh != one.refresh && two.access != one.access)
            // Using the new access token ends the grace.
            #expect(try await auth.call("ping", token: two.access).status == 200)
            let reused = try await auth.refresh(old, clientID: clientID)
            #expect(reused.status == 400)
            #expect(auth.error(reused) == "invalid_grant")
            // Reuse revoked the whole grant.
            #expect(try await auth.call("ping", token: two.access).status == 401)
            #expect(
                auth.error(try await auth.refresh(try #require(two.refresh), clientID: clientID)) == "invalid_grant")

            let stats = auth.server.stats()
            #expect(stats.refreshes == 2)
            #expect(stats.refreshesStarted == 4)
            #expect(stats.tokensIssued == 3)
            #expect(stats.invalidGrants == 2)
        }
    }

    @Test func usingTheNewRefreshTokenEndsTheGrace() async throws {
        try await withAuthServer { auth in
            let (clientID, first) = try await auth.login()
            let old = try #require(first.refresh)
            let one = try auth.tokens(try await auth.refresh(old, clientID: clientID))
            let two = try auth.tokens(try await auth.refresh(try #require(one.refresh), clientID: clientID))
            #expect(auth.error(try await auth.refresh(old, clientID: clientID)) == "invalid_grant")
            #expect(try await auth.call("ping", token: two.access).status == 401)
        }
    }

    @Test func withoutRotationTheRefreshTokenStays() async throws {
        try await withAuthServer(.with { $0.rotateRefreshTokens = false }) { auth in
            let (clientID, first) = try await auth.login()
            let token = try #require(first.refresh)
            for _ in 0..<2 {
                let refreshed = try auth.tokens(try await auth.refresh(token, clientID: clientID))
                #expect(refreshed.refresh == nil)
                #expect(try await auth.call("ping", token: refreshed.access).status == 200)
            }
            #expect(auth.server.stats().refreshes == 2)
        }
    }

    @Test func refuseRefresh() async throws {
        try await withAuthServer(.with { $0.refreshFault = .invalidGrant }) { auth in
            let (clientID, first) = try await auth.login()
            let refused = try await auth.refresh(try #require(first.refresh), clientID: clientID)
            #expect(refused.status == 400)
            #expect(auth.error(refused) == "invalid_grant")
            let stats = auth.server.stats()
            #expect(stats.refreshesStarted == 1)
            #expect(stats.refreshes == 0)
            #expect(stats.invalidGrants == 1)
            // The login itself stays usable.
            #expect(try await auth.call("ping", token: first.access).status == 200)
        }
    }

    @Test func failRefreshesThenRecover() async throws {
        try await withAuthServer(
            .with {
                $0.refreshFault = .temporarilyUnavailable
                $0.refreshFaultsLeft = 2
            }
        ) { auth in
            let (clientID, first) = try await auth.login()
            let token = try #require(first.refresh)
            for _ in 0..<2 {
                let failed = try await auth.refresh(token, clientID: clientID)
                #expect(failed.status == 503)
                #expect(auth.error(failed) == "temporarily_unavailable")
            }
            #expect(try await auth.refresh(token, clientID: clientID).status == 200)
            let stats = auth.server.stats()
            #expect(stats.refreshesStarted == 3)
            #expect(stats.refreshes == 1)
            #expect(stats.invalidGrants == 0)
        }
    }

    @Test(arguments: RefreshFault.allCases)
    func eachRefreshFaultAnswersAsARealServerFails(_ fault: RefreshFault) async throws {
        try await withAuthServer(.with { $0.refreshFault = fault }) { auth in
            let (clientID, first) = try await auth.login()
            let failed = try await auth.refresh(try #require(first.refresh), clientID: clientID)
            let expected: [RefreshFault: (Int, String?)] = [
                .invalidGrant: (400, "invalid_grant"), .invalidClient: (401, "invalid_client"),
                .temporarilyUnavailable: (503, "temporarily_unavailable"), .serverError: (500, nil),
                .badGateway: (502, nil),
            ]
            #expect(failed.status == expected[fault]?.0)
            if let error = expected[fault]?.1 {
                #expect(auth.error(failed) == error)
            } else {
                #expect(failed.headers["content-type"]?.hasPrefix("text/html") == true)
            }
            await auth.server.inject(.refresh(fault), on: false)
            #expect(try await auth.refresh(try #require(first.refresh), clientID: clientID).status == 200)
        }
    }

    @Test func revokedAccessTokensGet401AndTheRefreshTokenStillWorks() async throws {
        try await withAuthServer(.with { _ in }) { auth in
            let (clientID, first) = try await auth.login()
            #expect(try await auth.call("ping", token: first.access).status == 200)
            await auth.server.inject(.revokeAccessTokens)
            #expect(try await auth.call("ping", token: first.access).status == 401)
            let refreshed = try auth.tokens(try await auth.refresh(try #require(first.refresh), clientID: clientID))
            #expect(try await auth.call("ping", token: refreshed.access).status == 200)
            await auth.server.inject(.revokeGrants)
            #expect(try await auth.refresh(try #require(refreshed.refresh), clientID: clientID).status == 400)
        }
    }

    @Test func faultNamesRoundTrip() {
        for fault in DemoFault.all {
            #expect(DemoFault(name: fault.name) == fault)
        }
        #expect(Set(DemoFault.all.map(\.name)).count == DemoFault.all.count)
        #expect(DemoFault(name: "no-such-fault") == nil)
    }

    @Test func refreshDelayAndRefreshTokenLifetime() async throws {
        try await withAuthServer(
            .with {
                $0.refreshDelay = 0.4
                // Room for a loaded two-core machine between the login and the refresh (0.6 s
                // was not always enough).
                $0.refreshTokenLifetime = 2
            }
        ) { auth in
            let (clientID, first) = try await auth.login()
            #expect(first.json["refresh_token_expires_in"] as? Double == 2)
            let token = try #require(first.refresh)
            let pending = Task { try await auth.refresh(token, clientID: clientID) }
            // Counted on arrival, answered after the delay.
            let deadline = Date().addingTimeInterval(1.5)
            while auth.server.stats().refreshesStarted == 0, Date() < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(auth.server.stats().refreshesStarted == 1)
            let started = Date()
            let refreshed = try auth.tokens(try await pending.value)
            #expect(Date().timeIntervalSince(started) > 0.2)
            #expect(refreshed.json["refresh_token_expires_in"] as? Double == 2)

            auth.server.setOptions { $0.oauth?.refreshDelay = 0 }
            try await Task.sleep(for: .seconds(2.05))
            let expired = try await auth.refresh(try #require(refreshed.refresh), clientID: clientID)
            #expect(auth.error(expired) == "invalid_grant")
        }
    }

    @Test func revocation() async throws {
        try await withAuthServer { auth in
            let (clientID, first) = try await auth.login()
            let refresh = try #require(first.refresh)
            let revoked = try await auth.postForm(
                "/revoke", [("token", refresh), ("token_type_hint", "refresh_token"), ("client_id", clientID)])
            #expect(revoked.status == 200)
            #expect(try await auth.call("ping", token: first.access).status == 401)
            #expect(auth.error(try await auth.refresh(refresh, clientID: clientID)) == "invalid_grant")
            let unknown = try await auth.postForm("/revoke", [("token", "nothing"), ("client_id", clientID)])
            #expect(unknown.status == 200)
            #expect(auth.server.stats().revocations == 2)
            #expect(auth.server.stats().unknownTokenRequests == 1)

            let (otherClient, second) = try await auth.login()
            auth.server.revokeAll()
            #expect(try await auth.call("ping", token: second.access).status == 401)
            #expect(
                auth.error(try await auth.refresh(try #require(second.refresh), clientID: otherClient))
                    == "invalid_grant")
        }
    }

    @Test func adminToolNeedsTheAdminScope() async throws {
        try await withAuthServer { auth in
            let (_, plain) = try await auth.login()
            #expect(plain.json["scope"] as? String == "tools")
            #expect(
                try await auth.call(
                    "tools/call", params: #"{"name":"echo","arguments":{"text":"hi"}}"#,
                    tool: "echo", token: plain.access
                ).status == 200)
            let forbidden = try await auth.callAdmin(token: plain.access)
            #expect(forbidden.status == 403)
            #expect(
                auth.challenge(forbidden)
                    == "Bearer error=\"insufficient_scope\", scope=\"tools admin\", "
                    + "resource_metadata=\"\(auth.resourceMetadata)\"")

            let (_, admin) = try await auth.login(scope: "tools admin")
            let allowed = try await auth.callAdmin(token: admin.access)
            #expect(allowed.status == 200)
            #expect(allowed.text.contains("admin ok"))
        }
    }

    @Test func adminToolWithoutOAuth() async throws {
        let server = DemoServer(
            options: {
                var options = DemoServerOptions()
                options.responseMode = .json
                return options
            }())
        let port = try await server.start()
        let auth = AuthServer(server: server, base: "http://127.0.0.1:\(port)")
        let response = try await auth.callAdmin(token: nil)
        await server.stop()
        #expect(response.status == 200)
        #expect(response.text.contains("admin ok"))
    }
}
