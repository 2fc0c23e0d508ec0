import Foundation
import MCPClient
import Support
import Testing

@testable import OAuth

/// A token response, a JWT or a stored login may hold any number; a lifetime of 1e300 seconds
/// used to be stored and then crash every `status` and dashboard frame (issue 12).
@Suite struct AbsurdNumbersTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let tenYears = BoundedSeconds.longestLifetime

    func response(_ fields: String) throws -> TokenResponse? {
        TokenResponse(json: try JSONValue.parse(#"{"access_token": "a", "token_type": "Bearer"\#(fields)}"#))
    }

    @Test func expiresInIsBoundedOrIgnored() throws {
        let cases: [(String, TimeInterval?)] = [
            (#", "expires_in": 3600"#, 3600),
            (#", "expires_in": "3600""#, 3600),
            (#", "expires_in": 1e300"#, tenYears),
            (#", "expires_in": 1e400"#, nil),
            (#", "expires_in": -5"#, nil),
            (#", "expires_in": "abc""#, nil),
            (#", "expires_in": "NaN""#, nil),
            (#", "expires_in": "-inf""#, nil),
            (#", "expires_in": null"#, nil),
            (#", "expires_in": [1]"#, nil),
        ]
        for (fields, expected) in cases {
            let tokens = try #require(try response(fields))
            #expect(tokens.expiresIn == expected, "\(fields)")
            #expect(tokens.expiresAt(now: now) == expected.map { now.addingTimeInterval($0) }, "\(fields)")
        }
    }

    @Test func refreshTokenLifetimeIsBoundedOrIgnored() throws {
        let huge = try #require(try response(#", "refresh_token": "r", "refresh_token_expires_in": 1e300"#))
        #expect(huge.refreshTokenExpiresIn == tenYears)
        let credential = Credential(
            serverURL: "https://x/mcp", resource: "https://x/mcp", issuer: "https://x", clientID: "c",
            tokenEndpoint: "https://x/token", revocationEndpoint: nil, tokens: huge, now: now)
        #expect(credential.refreshTokenExpiresAt == now.addingTimeInterval(tenYears))
        let negative = try #require(try response(#", "refresh_token_expires_in": -1"#))
        #expect(negative.refreshTokenExpiresIn == nil)
        let quoted = try #require(try response(#", "refresh_token_expires_in": "86400""#))
        #expect(quoted.refreshTokenExpiresIn == 86400)
    }

    /// A value set directly (not parsed) is bounded where it is used, too.
    @Test func aLifetimeSetByHandIsBoundedWhereUsed() throws {
        var tokens = try #require(try response(""))
        tokens.expiresIn = .infinity
        tokens.refreshToken = "r"
        tokens.refreshTokenExpiresIn = 1e300
        #expect(tokens.expiresAt(now: now) == nil)
        var credential = Credential(
            serverURL: "https://x/mcp", resource: "https://x/mcp", issuer: "https://x", clientID: "c",
            tokenEndpoint: "https://x/token", revocationEndpoint: nil, tokens: tokens, now: now)
        #expect(credential.refreshTokenExpiresAt == now.addingTimeInterval(tenYears))
        tokens.expiresIn = 1e300
        _ = credential.apply(refresh: tokens, now: now)
        #expect(credential.expiresAt == now.addingTimeInterval(tenYears))
    }

    func jwt(_ claims: String) -> String {
        func encoded(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        return "\(encoded(#"{"alg":"none"}"#)).\(encoded(claims)).sig"
    }

    @Test func aJWTExpiryIsBoundedOrIgnored() throws {
        #expect(JWT.expiry(of: jwt(#"{"exp": 1800003600}"#), now: now) == now.addingTimeInterval(3600))
        #expect(JWT.expiry(of: jwt(#"{"exp": 1e300}"#), now: now) == now.addingTimeInterval(tenYears))
        #expect(JWT.expiry(of: jwt(#"{"exp": 1e400}"#), now: now) == nil)
        #expect(JWT.expiry(of: jwt(#"{"exp": -1}"#), now: now) == nil)
        #expect(JWT.expiry(of: jwt(#"{"exp": "soon"}"#), now: now) == nil)
        // Without expires_in, the JWT's exp is the expiry.
        let tokens = try #require(TokenResponse(json: ["access_token": .string(jwt(#"{"exp": 1e300}"#))]))
        #expect(tokens.expiresAt(now: now) == now.addingTimeInterval(tenYears))
    }

    func temporaryStore() -> TokenStore {
        TokenStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-\(UUID())").path)
    }

    /// A login written with absurd numbers (by an older mcptop, a hand edit, a bad server) is
    /// read with those numbers as unknown, not as a damaged file and not as a time bomb.
    @Test func aStoredLoginWithAbsurdNumbersIsReadWithThemUnknown() async throws {
        let store = temporaryStore()
        let serverURL = "http://127.0.0.1:9/mcp"
        let path = store.credentialPath(serverURL: serverURL)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let json = """
            {"serverURL": "\(serverURL)", "resource": "\(serverURL)", "issuer": "http://127.0.0.1:9",
             "clientID": "c", "tokenEndpoint": "http://127.0.0.1:9/token", "accessToken": "access-0",
             "tokenType": "Bearer", "obtainedAt": -5, "expiresAt": 1e300, "refreshToken": "refresh-0",
             "refreshTokenObtainedAt": 1800000000, "refreshTokenExpiresAt": 1e300, "scopes": [],
             "lastRefreshAt": 1e300, "refreshCount": 1e300}
            """
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let credential = try #require(try store.loadCredential(serverURL: serverURL))
        #expect(credential.expiresAt == nil)
        #expect(credential.obtainedAt == nil)
        #expect(credential.refreshTokenExpiresAt == nil)
        #expect(credential.lastRefreshAt == nil)
        #expect(credential.refreshTokenObtainedAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(credential.refreshCount == Int(Int32.max))
        // And it is usable: the token is handed out (the expiry is unknown, so no refresh).
        let manager = TokenManager(serverName: "absurd", serverURL: serverURL, store: store)
        #expect(try await manager.accessToken() == "access-0")
        #expect(try await manager.refreshDue() == nil)
    }

    /// The whole path: a token endpoint answering 1e300 stores a login that reads back, and
    /// whose refresh is due in ten years less the margin.
    @Test func aTokenEndpointAnsweringAbsurdLifetimesStoresABoundedLogin() async throws {
        try await withStub { stub in
            stub.on("/token") { _ in
                .init(
                    status: 200,
                    body:
                        #"{"access_token": "access-1", "token_type": "Bearer", "expires_in": 1e300, "refresh_token": "refresh-1", "refresh_token_expires_in": 1e300}"#
                )
            }
            let store = temporaryStore()
            let clock = TestClock()
            let serverURL = "\(stub.base)/mcp"
            var seeded = Credential(
                serverURL: serverURL, resource: serverURL, issuer: stub.base, clientID: "c",
                tokenEndpoint: "\(stub.base)/token", revocationEndpoint: nil,
                tokens: try #require(TokenResponseFixture.make(access: "access-0", refresh: "refresh-0", expiresIn: 1)),
                now: clock.now)
            seeded.scopes = []
            _ = try await store.saveLogin(seeded)
            let manager = TokenManager(serverName: "absurd", serverURL: serverURL, store: store, now: { clock.now })
            clock.advance(5)
            #expect(try await manager.accessToken() == "access-1")
            let stored = try #require(try store.loadCredential(serverURL: serverURL))
            #expect(stored.expiresAt == clock.now.addingTimeInterval(tenYears))
            #expect(stored.refreshTokenExpiresAt == clock.now.addingTimeInterval(tenYears))
            #expect(try await manager.refreshDue() == clock.now.addingTimeInterval(tenYears - 60))
        }
    }
}
