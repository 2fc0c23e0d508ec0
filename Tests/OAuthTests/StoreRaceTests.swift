import Foundation
import Testing

@testable import OAuth

/// Processes sharing one token store (two stores or managers on one folder stand for two
/// processes): a login is never lost to a refresh, and no store file is used through a link.
@Suite struct StoreRaceTests {
    let helpers = TokenManagerTests()

    func stepUpLogin(_ stub: StubServer, clock: TestClock) throws -> Credential {
        var login = Credential(
            serverURL: "\(stub.base)/mcp", resource: "\(stub.base)/mcp", issuer: stub.base, clientID: "client",
            tokenEndpoint: "\(stub.base)/token", revocationEndpoint: nil,
            tokens: try #require(
                TokenResponseFixture.make(access: "login-access", refresh: "login-refresh", expiresIn: 100)),
            now: clock.now)
        login.scopes = ["mcp", "admin"]
        return login
    }

    /// Finding 5 of issue 17: a dashboard's refresh still at the token endpoint when
    /// `mcptop auth --scope admin` stores its login used to write the old login over it.
    @Test func aLoginStoredWhileAnotherProcessRefreshesIsKept() async throws {
        try await withStub { stub in
            let endpoint = TokenEndpointStub(delay: .milliseconds(600))
            endpoint.install(on: stub)
            let clock = TestClock()
            let store = helpers.store()
            try await helpers.seed(store, stub: stub, clock: clock)
            let dashboard = helpers.manager(store, stub: stub, clock: clock)
            let auth = helpers.manager(store, stub: stub, clock: clock)
            let refresh = Task { try await dashboard.refreshNow() }
            for _ in 0..<1000 where stub.requests.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            try #require(!stub.requests.isEmpty, "the refresh reached the token endpoint")
            try await auth.replace(with: try stepUpLogin(stub, clock: clock))
            _ = try await refresh.value

            let stored = try #require(try store.loadCredential(serverURL: "\(stub.base)/mcp"))
            #expect(stored.accessToken == "login-access")
            #expect(stored.refreshToken == "login-refresh")
            #expect(stored.scopes == ["mcp", "admin"])
            #expect(stored.generation == 3, "seed, refresh, login")
            // The dashboard's next refresh starts from the new login.
            clock.advance(90)
            #expect(try await dashboard.accessToken() == "access-2")
            #expect(endpoint.presented.withLock { $0 } == ["refresh-0", "login-refresh"])
            #expect(try store.loadCredential(serverURL: "\(stub.base)/mcp")?.scopes == ["mcp", "admin"])
        }
    }

    /// Writing under the lock compares generations: a record written meanwhile by a writer that
    /// took no lock (an mcptop from before generations) or removed by a logout is not replaced
    /// by what a refresh made of the old one.
    @Test func aRefreshWritesOnlyOverTheGenerationItStartedFrom() async throws {
        let store = helpers.store()
        let url = "https://mcp.example.com/mcp"
        let seeded = Credential(
            serverURL: url, resource: url, issuer: "https://id.example.com", clientID: "client",
            tokenEndpoint: "https://id.example.com/token", revocationEndpoint: nil,
            tokens: try #require(TokenResponseFixture.make(access: "old", refresh: "old-refresh", expiresIn: 100)),
            now: Date())
        let first = try await store.saveLogin(seeded)
        #expect(first.generation == 1)
        try await store.withLock(serverURL: url) { lock in
            var elsewhere = first
            elsewhere.accessToken = "elsewhere"
            elsewhere.generation = 0
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .secondsSince1970
            try encoder.encode(elsewhere).write(to: URL(fileURLWithPath: store.credentialPath(serverURL: url)))

            var refreshed = first
            refreshed.accessToken = "refreshed"
            let outcome = try store.save(refreshed, under: lock, replacing: first.generation)
            guard case .superseded(let newer?) = outcome else {
                Issue.record("a refresh was written over a newer record")
                return
            }
            #expect(newer.accessToken == "elsewhere" && newer.generation == 0)
            #expect(try store.loadCredential(serverURL: url)?.accessToken == "elsewhere")

            try store.deleteCredential(serverURL: url)
            #expect(try store.save(refreshed, under: lock, replacing: first.generation) == .superseded(nil))
            #expect(try store.loadCredential(serverURL: url) == nil, "a logout is not undone")
        }
        #expect(try await store.saveLogin(seeded).generation == 1, "a new login after a logout")
    }

    /// Issue 17, finding 7: a link planted where a credential or its lock file goes is refused
    /// with its name, and what it points at is neither read, nor written, nor chmod'ed.
    @Test func aLinkWhereAStoreFileGoesIsRefusedAndItsTargetUntouched() async throws {
        let store = helpers.store()
        let url = "https://mcp.example.com/mcp"
        let path = store.credentialPath(serverURL: url, issuer: "https://id.example.com")
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-target-\(UUID())").path
        defer { unlink(target) }
        try Data("someone else's file".utf8).write(to: URL(fileURLWithPath: target))
        chmod(target, 0o644)
        #expect(symlink(target, path) == 0)
        func refusesTheLink(_ error: any Error, at linkPath: String) -> Bool {
            guard let error = error as? TokenStore.StoreError else { return false }
            return error.path == linkPath && error.description.contains("is a symbolic link")
        }

        #expect { try store.loadCredential(serverURL: url) } throws: { refusesTheLink($0, at: path) }
        let login = Credential(
            serverURL: url, resource: url, issuer: "https://id.example.com", clientID: "client",
            tokenEndpoint: "https://id.example.com/token", revocationEndpoint: nil,
            tokens: try #require(TokenResponseFixture.make(access: "a", refresh: "r", expiresIn: 100)), now: Date())
        await #expect { _ = try await store.saveLogin(login) } throws: { refusesTheLink($0, at: path) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "someone else's file")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target, "the link is left")
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        #expect(mode == 0o644)

        unlink(path)
        // The lock is the server's (its file name's first part), whatever the issuer.
        let lockPath = folder + "/" + (path as NSString).lastPathComponent.prefix { $0 != "-" } + ".lock"
        unlink(lockPath)
        #expect(symlink(target, lockPath) == 0)
        await #expect { _ = try await store.saveLogin(login) } throws: { refusesTheLink($0, at: lockPath) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "someone else's file")
    }
}
