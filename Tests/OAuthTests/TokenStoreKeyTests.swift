import Foundation
import Testing

@testable import OAuth

/// Logins are keyed by (server, issuer): two servers behind one issuer have records of their
/// own, a login at another issuer for the same server replaces the old one only when it is a
/// login (not a refresh), and a record of an older mcptop (keyed by the server alone) is moved
/// to its key when read, never lost.
@Suite struct TokenStoreKeyTests {
    let store = TokenStore(
        directory: FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-\(UUID())").path)

    func credential(server: String, issuer: String, access: String, at seconds: Double = 1_800_000_000) throws
        -> Credential
    {
        Credential(
            serverURL: server, resource: server, issuer: issuer, clientID: "client", tokenEndpoint: issuer + "/token",
            revocationEndpoint: nil,
            tokens: try #require(TokenResponseFixture.make(access: access, refresh: "r-" + access, expiresIn: 3600)),
            now: Date(timeIntervalSince1970: seconds))
    }

    @Test func twoServersBehindOneIssuerHaveRecordsOfTheirOwn() async throws {
        let issuer = "https://login.example.com/tenant/v2.0"
        _ = try await store.saveLogin(try credential(server: "https://a.example.com/mcp", issuer: issuer, access: "a"))
        _ = try await store.saveLogin(try credential(server: "https://b.example.com/mcp", issuer: issuer, access: "b"))
        #expect(
            store.credentialPath(serverURL: "https://a.example.com/mcp")
                != store.credentialPath(serverURL: "https://b.example.com/mcp"))
        #expect(try store.loadCredential(serverURL: "https://a.example.com/mcp")?.accessToken == "a")
        try store.deleteCredential(serverURL: "https://a.example.com/mcp")
        #expect(try store.loadCredential(serverURL: "https://a.example.com/mcp") == nil)
        #expect(try store.loadCredential(serverURL: "https://b.example.com/mcp")?.accessToken == "b")
    }

    @Test func aLoginAtAnotherIssuerReplacesTheOldOneAndALateRefreshOfTheOldIsNotWritten() async throws {
        let server = "https://mcp.example.com/mcp"
        let old = try await store.saveLogin(
            try credential(server: server, issuer: "https://old.example.com", access: "old"))
        let new = try credential(server: server, issuer: "https://new.example.com", access: "new", at: 1_800_000_100)
        _ = try await store.saveLogin(new)
        // A process that started refreshing the old login before the new one was stored: its
        // result is written only over the generation it started from, so it is not written.
        let late = try await store.withLock(serverURL: server) { lock in
            try store.save(old, under: lock, replacing: old.generation)
        }
        guard case .superseded(let stored?) = late else {
            Issue.record("the late refresh was written: \(late)")
            return
        }
        #expect(stored.issuer == "https://new.example.com")
        #expect(try store.loadCredential(serverURL: server)?.issuer == "https://new.example.com")
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory + "/credentials")
            .filter { $0.hasSuffix(".json") }
        #expect(names == [TokenStore.credentialKey(serverURL: server, issuer: "https://new.example.com") + ".json"])
    }

    @Test func aRecordOfAnOlderMcptopIsMovedToItsKeyWhenRead() throws {
        let server = "https://mcp.example.com/mcp"
        let record = try credential(server: server, issuer: "https://idp.example.com", access: "kept")
        // Written where mcptop kept logins before they were keyed by issuer.
        let legacy = store.legacyCredentialPath(serverURL: server)
        #expect(store.credentialPath(serverURL: server) == legacy)
        try FileManager.default.createDirectory(
            atPath: store.directory + "/credentials", withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        try encoder.encode(record).write(to: URL(fileURLWithPath: legacy))
        #expect(try store.loadCredential(serverURL: server) == record)
        #expect(!FileManager.default.fileExists(atPath: legacy))
        #expect(
            store.credentialPath(serverURL: server) == store.credentialPath(serverURL: server, issuer: record.issuer))
        #expect(try store.loadCredential(serverURL: server) == record)
    }

    @Test func aRecordInAnotherServersFileIsRefused() async throws {
        let server = "https://mcp.example.com/mcp"
        _ = try await store.saveLogin(try credential(server: server, issuer: "https://idp.example.com", access: "a"))
        let misplaced = store.credentialPath(serverURL: server, issuer: "https://other.example.com")
        try FileManager.default.copyItem(atPath: store.credentialPath(serverURL: server), toPath: misplaced)
        #expect(throws: TokenStore.StoreError.self) { try store.loadCredential(serverURL: server) }
    }

    @Test func issuersDifferingOnlyByATrailingSlashAreOne() {
        #expect(Discovery.sameIssuer("https://idp.example.com/", "https://idp.example.com"))
        #expect(!Discovery.sameIssuer("https://idp.example.com/a", "https://idp.example.com/b"))
    }
}
