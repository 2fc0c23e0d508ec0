import Foundation
import OAuth
import Synchronization
import Testing

/// A settable clock for refresh schedules.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A token endpoint that rotates refresh tokens; `mode` switches it to refusing or failing.
final class TokenEndpointStub: Sendable {
    enum Mode: Sendable { case ok, invalidGrant, unavailable }
    let mode = Mutex(Mode.ok)
    let issued = Mutex(0)
    let presented = Mutex<[String]>([])
    let lifetime: Int
    /// How long each answer takes.
    let delay: Duration

    init(lifetime: Int = 100, delay: Duration = .zero) {
        self.lifetime = lifetime
        self.delay = delay
    }

    func install(on stub: StubServer) {
        stub.on("/token") { [self] request in
            let form = Dictionary(
                uniqueKeysWithValues: request.body.split(separator: "&").map { pair -> (String, String) in
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    return (parts[0], parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : "")
                })
            presented.withLock { $0.append(form["refresh_token"] ?? "") }
            switch mode.withLock({ $0 }) {
            case .invalidGrant: return .init(status: 400, body: #"{"error": "invalid_grant"}"#)
            case .unavailable: return .init(status: 503, body: #"{"error": "temporarily_unavailable"}"#)
            case .ok:
                let number = issued.withLock { count -> Int in
                    count += 1
                    return count
                }
                return .init(
                    status: 200,
                    body:
                        #"{"access_token": "access-\#(number)", "token_type": "Bearer", "expires_in": \#(lifetime), "refresh_token": "refresh-\#(number)"}"#,
                    delay: delay)
            }
        }
    }
}

@Suite struct TokenManagerTests {
    func store() -> TokenStore {
        TokenStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-\(UUID())").path)
    }

    func seed(_ store: TokenStore, stub: StubServer, clock: TestClock, lifetime: Double = 100) async throws {
        var credential = Credential(
            serverURL: "\(stub.base)/mcp", resource: "\(stub.base)/mcp", issuer: stub.base, clientID: "client",
            tokenEndpoint: "\(stub.base)/token", revocationEndpoint: nil,
            tokens: try #require(
                TokenResponseFixture.make(access: "access-0", refresh: "refresh-0", expiresIn: lifetime)),
            now: clock.now)
        credential.scopes = ["mcp"]
        _ = try await store.saveLogin(credential)
    }

    func manager(_ store: TokenStore, stub: StubServer, clock: TestClock) -> TokenManager {
        TokenManager(serverName: "demo", serverURL: "\(stub.base)/mcp", store: store, now: { clock.now })
    }

    @Test func refreshesAtTheScheduledInstantNotBefore() async throws {
        try await withStub { stub in
            let endpoint = TokenEndpointStub()
            endpoint.install(on: stub)
            let clock = TestClock()
            let store = store()
            try await seed(store, stub: stub, clock: clock, lifetime: 100)
            let manager = manager(store, stub: stub, clock: clock)
            // 100 s lifetime: refresh at 80 s (20% < 60 s).
            #expect(try await manager.refreshDue() == clock.now.addingTimeInterval(80))
            clock.advance(79.9)
            #expect(try await manager.accessToken() == "access-0")
            #expect(endpoint.issued.withLock { $0 } == 0)
            clock.advance(0.1)
            #expect(try await manager.accessToken() == "access-1")
            #expect(endpoint.presented.withLock { $0 } == ["refresh-0"])
            // The rotated refresh token is on disk.
            #expect(try store.loadCredential(serverURL: "\(stub.base)/mcp")?.refreshToken == "refresh-1")
        }
    }

    @Test func longTokensRefreshSixtySecondsBeforeExpiry() {
        let settings = OAuthSettings()
        let start = Date(timeIntervalSince1970: 0)
        #expect(
            settings.refreshTime(obtainedAt: start, expiresAt: start.addingTimeInterval(3600))
                == start.addingTimeInterval(3540))
        #expect(
            settings.refreshTime(obtainedAt: start, expiresAt: start.addingTimeInterval(2))
                == start.addingTimeInterval(1.6))
        #expect(settings.refreshTime(obtainedAt: start, expiresAt: nil) == nil)
    }

    @Test func concurrentRequestsShareOneRefresh() async throws {
        try await withStub { stub in
            let endpoint = TokenEndpointStub()
            endpoint.install(on: stub)
            let clock = TestClock()
            let store = store()
            try await seed(store, stub: stub, clock: clock)
            let manager = manager(store, stub: stub, clock: clock)
            clock.advance(90)
            let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<20 { group.addTask { try await manager.accessToken() } }
                return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
            }
            #expect(tokens == ["access-1"])
            #expect(endpoint.issued.withLock { $0 } == 1)
        }
    }

    @Test func anotherProcessesRefreshIsTakenOverNotRepeated() async throws {
        try await withStub { stub in
            let endpoint = TokenEndpointStub()
            endpoint.install(on: stub)
            let clock = TestClock()
            let store = store()
            try await seed(store, stub: stub, clock: clock)
            // Two managers on one store stand for two processes.
            let first = manager(store, stub: stub, clock: clock)
            let second = manager(store, stub: stub, clock: clock)
            #expect(try await second.accessToken() == "access-0")
            clock.advance(90)
            #expect(try await first.accessToken() == "access-1")
            #expect(try await second.accessToken() == "access-1")
            #expect(endpoint.presented.withLock { $0 } == ["refresh-0"], "the rotated token is never presented twice")
        }
    }

    @Test func invalidGrantNeedsLoginAndKeepsTheRecordUntilANewLoginIsStored() async throws {
        try await withStub { stub in
            let endpoint = TokenEndpointStub()
            endpoint.install(on: stub)
            endpoint.mode.withLock { $0 = .invalidGrant }
            let clock = TestClock()
            let store = store()
            try await seed(store, stub: stub, clock: clock)
            let manager = manager(store, stub: stub, clock: clock)
            clock.advance(101)
            await #expect { try await manager.accessToken() } throws: { error in
                guard let error = error as? OAuthError, case .needsLogin(let reason) = error.kind else { return false }
                return reason.contains("invalid_grant")
            }
            let kept = try #require(try store.loadCredential(serverURL: "\(stub.base)/mcp"))
            #expect(kept.refreshToken == "refresh-0")
            #expect(kept.unusableReason?.contains("invalid_grant") == true)
            // Asking again does not hammer the server.
            await #expect(throws: OAuthError.self) { try await manager.accessToken() }
            #expect(endpoint.presented.withLock { $0 }.count == 1)
            // `mcptop auth` in another terminal stores a new login: the next request uses it.
            try await seed(store, stub: stub, clock: clock)
            #expect(try await manager.accessToken() == "access-0")
            #expect(try await manager.current()?.unusableReason == nil)
        }
    }

    @Test func transientFailuresDeleteNothingAndKeepAValidToken() async throws {
        try await withStub { stub in
            let endpoint = TokenEndpointStub()
            endpoint.install(on: stub)
            endpoint.mode.withLock { $0 = .unavailable }
            let clock = TestClock()
            let store = store()
            try await seed(store, stub: stub, clock: clock)
            let results = Mutex<[String?]>([])
            let manager = TokenManager(
                serverName: "demo", serverURL: "\(stub.base)/mcp", store: store, now: { clock.now },
                onChange: { credential in results.withLock { $0.append(credential?.lastRefreshResult) } })
            clock.advance(90)  // due, not expired: the current token still serves
            #expect(try await manager.accessToken() == "access-0")
            let told = results.withLock { $0 }
            #expect(told.count == 1 && told[0]?.hasPrefix("failed, will retry") == true, "the dashboard hears of it")
            clock.advance(11)  // expired: a transient error, nothing lost
            await #expect { try await manager.accessToken() } throws: { error in
                (error as? OAuthError)?.isTransient == true
            }
            let kept = try #require(try store.loadCredential(serverURL: "\(stub.base)/mcp"))
            #expect(kept.refreshToken == "refresh-0" && kept.unusableReason == nil)
            endpoint.mode.withLock { $0 = .ok }
            #expect(try await manager.accessToken() == "access-1")
        }
    }

    @Test func a401RefreshesOnceUnlessTheTokenWasAlreadyReplaced() async throws {
        try await withStub { stub in
            let endpoint = TokenEndpointStub()
            endpoint.install(on: stub)
            let clock = TestClock()
            let store = store()
            try await seed(store, stub: stub, clock: clock)
            let manager = manager(store, stub: stub, clock: clock)
            #expect(try await manager.rejected(token: "access-0"))
            #expect(try await manager.accessToken() == "access-1")
            #expect(try await manager.rejected(token: "access-0"), "a stale rejection just retries")
            #expect(endpoint.issued.withLock { $0 } == 1)
        }
    }

    @Test func storeFilesArePrivate() async throws {
        try await withStub { stub in
            let clock = TestClock()
            let store = store()
            try await seed(store, stub: stub, clock: clock)
            let path = store.credentialPath(serverURL: "\(stub.base)/mcp")
            let file = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            let folder = try FileManager.default.attributesOfItem(atPath: store.directory)[.posixPermissions] as? Int
            #expect(file == 0o600)
            #expect(folder == 0o700)
        }
    }

    /// A server without a login asks for one at every request; the store is read again only
    /// when its credentials folder changed, and a login saved meanwhile is always found.
    @Test func withoutALoginTheStoreIsReadAgainOnlyWhenItsFolderChanged() async throws {
        let store = store()
        let folder = store.directory + "/credentials"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func setFolderTime(secondsAgo: Double) {
            let then = Date().timeIntervalSince1970 - secondsAgo
            let seconds = Int(then)
            var times = [timeval(tv_sec: seconds, tv_usec: 0), timeval(tv_sec: seconds, tv_usec: 0)]
            #expect(utimes(folder, &times) == 0)
        }
        // A folder changed a moment ago cannot tell a later change apart: no stamp.
        #expect(store.credentialsStamp() == nil)
        setFolderTime(secondsAgo: 60)
        let settled = try #require(store.credentialsStamp())
        let manager = TokenManager(serverName: "demo", serverURL: "https://mcp.example.com/mcp", store: store)
        #expect(try await manager.current() == nil)

        let credential = Credential(
            serverURL: "https://mcp.example.com/mcp", resource: "https://mcp.example.com/mcp",
            issuer: "https://login.example.com", clientID: "client", tokenEndpoint: "https://login.example.com/token",
            revocationEndpoint: nil,
            tokens: try #require(TokenResponseFixture.make(access: "access-1", refresh: "refresh-1", expiresIn: 100)),
            now: Date())
        _ = try await store.saveLogin(credential)
        // Put the folder's time back as it was: to the manager, nothing changed, so it does
        // not read the store (which is what it saves at every request).
        setFolderTime(secondsAgo: 60)
        #expect(store.credentialsStamp() == settled)
        #expect(try await manager.current() == nil)
        // Any change to the folder, and the login is found.
        setFolderTime(secondsAgo: 30)
        #expect(try await manager.current()?.accessToken == "access-1")
        // A login saved just now is found by a manager that had seen none, too.
        try store.deleteCredential(serverURL: "https://mcp.example.com/mcp")
        setFolderTime(secondsAgo: 60)
        let another = TokenManager(serverName: "demo", serverURL: "https://mcp.example.com/mcp", store: store)
        #expect(try await another.current() == nil)
        _ = try await store.saveLogin(credential)
        #expect(try await another.current()?.accessToken == "access-1")
    }

    /// Before the first login there is no credentials folder: the state folder tells when
    /// one is made.
    @Test func withoutACredentialsFolderTheStateFolderTellsWhenALoginCame() async throws {
        let store = store()
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        let then = Int(Date().timeIntervalSince1970) - 60
        var times = [timeval(tv_sec: then, tv_usec: 0), timeval(tv_sec: then, tv_usec: 0)]
        #expect(utimes(store.directory, &times) == 0)
        let settled = try #require(store.credentialsStamp())
        let manager = TokenManager(serverName: "demo", serverURL: "https://mcp.example.com/mcp", store: store)
        #expect(try await manager.current() == nil)
        #expect(store.credentialsStamp() == settled)
        let credential = Credential(
            serverURL: "https://mcp.example.com/mcp", resource: "https://mcp.example.com/mcp",
            issuer: "https://login.example.com", clientID: "client", tokenEndpoint: "https://login.example.com/token",
            revocationEndpoint: nil,
            tokens: try #require(TokenResponseFixture.make(access: "access-2", refresh: nil, expiresIn: 100)),
            now: Date())
        _ = try await store.saveLogin(credential)
        #expect(try await manager.current()?.accessToken == "access-2")
    }

    @Test func aDamagedFileIsReportedAndLeftAlone() throws {
        let store = store()
        let path = store.credentialPath(serverURL: "https://x/mcp")
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: TokenStore.StoreError.self) { try store.loadCredential(serverURL: "https://x/mcp") }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{not json")
    }
}
