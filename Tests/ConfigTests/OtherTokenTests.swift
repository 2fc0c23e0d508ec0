import Config
import Foundation
import Support
import Testing

@Suite struct OtherTokenTests {
    /// 2027-01-15T08:00:00Z, the fixtures' "now".
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func board(_ home: FixtureHome) -> OtherTokenBoard {
        let reads = ForeignConfigReader.readAll(environment: home.environment, projectDirectory: home.project)
        return OtherTokenReader.read(environment: home.environment, knownURLs: OtherTokenReader.knownURLs(in: reads))
    }

    func token(_ board: OtherTokenBoard, _ holder: TokenHolder, _ server: String) throws -> OtherToken {
        try #require(board.tokens.first { $0.holder == holder && $0.server == server }, "no \(holder) \(server)")
    }

    /// mcp-remote counts from the file's time: pin it.
    func touch(_ path: String, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }

    @Test func readsGeminiCLIsTokens() throws {
        let home = try FixtureHome("home")
        let board = board(home)
        let stripe = try token(board, .geminiCLI, "stripe")
        #expect(stripe.serverURL == "https://mcp.stripe.com")
        #expect(stripe.hasRefreshToken)
        #expect(stripe.expiresAt == Date(timeIntervalSince1970: 1_800_000_600))
        #expect(stripe.updatedAt == Date(timeIntervalSince1970: 1_799_996_400))
        #expect(stripe.scopes == ["read"])
        #expect(stripe.phase(now: now) == .endingSoon)
        let weather = try token(board, .geminiCLI, "weather")
        #expect(weather.isDead(now: now))
        #expect(!stripe.isDead(now: now))
        // The encrypted v2 store is named, with the reason.
        let encrypted = try #require(board.unreadable.first { $0.file.hasSuffix("mcp-oauth-tokens-v2.json") })
        #expect(encrypted.holder == .geminiCLI)
        #expect(encrypted.reason.contains("encrypted"))
    }

    @Test func readsClaudeCodesMcpOAuthOnly() throws {
        let home = try FixtureHome("home")
        let board = board(home)
        let sentry = try token(board, .claudeCode, "sentry")
        #expect(sentry.serverURL == "https://mcp.sentry.dev/mcp")
        #expect(sentry.expiresAt == Date(timeIntervalSince1970: 1_800_003_600))
        #expect(sentry.scopes == ["read", "write"])
        #expect(sentry.phase(now: now) == .valid)
        // Claude Code's stale entry (empty token, expiresAt 0) reads as no access token.
        let stale = try token(board, .claudeCode, "stale")
        #expect(!stale.hasAccessToken)
        #expect(stale.expiresAt == nil)
        #expect(stale.phase(now: now) == nil)
        #expect(!stale.isDead(now: now), "no token is not an expired token")
        #expect(board.tokens.filter { $0.holder == .claudeCode }.count == 2)
    }

    @Test func readsMcpRemoteRelativeToTheFilesTimeAndNamesItByTheConfigsURL() throws {
        let home = try FixtureHome("home")
        let folder = home.root + "/.mcp-auth/mcp-remote-0.1.29/"
        try touch(folder + "2d1a8aae3765090858d82f5630192064_tokens.json", now.addingTimeInterval(-3000))
        try touch(folder + "0123456789abcdef0123456789abcdef_tokens.json", now.addingTimeInterval(-7200))
        let board = board(home)
        let linear = try token(board, .mcpRemote, "https://mcp.linear.app/sse")
        #expect(linear.expiresAt == now.addingTimeInterval(600))
        #expect(linear.expiryFromFileTime)
        #expect(linear.hasRefreshToken)
        #expect(linear.phase(now: now) == .endingSoon)
        let orphan = try token(board, .mcpRemote, "URL hash 0123456789abcdef0123456789abcdef")
        #expect(orphan.isDead(now: now))
        // The client_info file is not a token.
        #expect(board.tokens.filter { $0.holder == .mcpRemote }.count == 2)
    }

    @Test func readsTheInspectorsTokensByServerURL() throws {
        let home = try FixtureHome("home")
        let inspector = try token(board(home), .inspector, "https://inspector.example.com/mcp")
        #expect(inspector.expiresAt == Date(timeIntervalSince1970: 1_799_990_000))
        #expect(!inspector.expiryFromFileTime)
        #expect(inspector.phase(now: now) == .expired)
        #expect(!inspector.isDead(now: now))
    }

    @Test func unreadableStoresSayWhy() throws {
        let home = try FixtureHome("broken-home")
        let board = OtherTokenReader.read(environment: home.environment)
        #expect(board.tokens.isEmpty)
        let reasons = Dictionary(uniqueKeysWithValues: board.unreadable.map { ($0.holder, $0.reason) })
        #expect(reasons[.claudeCode] == "not JSON (line 1, column 1): encrypted or damaged")
        #expect(reasons[.mcpRemote] == "expected an OAuth token response, found an array")
    }

    @Test func adviceNamesWhatTheClientWillDoAndTheFix() throws {
        let home = try FixtureHome("home")
        let board = board(home)
        let stripe = try #require(try token(board, .geminiCLI, "stripe").advice(now: now))
        #expect(stripe.consequence.hasPrefix("Gemini CLI's chat keeps the old header: its calls fail until restart"))
        #expect(stripe.importCommand == "mcptop import --from gemini")
        #expect(stripe.snippetClient == "gemini")
        let snippet = try #require(stripe.snippet)
        #expect(snippet.contains("\"httpUrl\": \"http://127.0.0.1:8737/stripe/mcp\""))
        #expect(snippet.contains("Bearer <mcptop serve --print-token>"))
        #expect(try token(board, .claudeCode, "sentry").advice(now: now) == nil)
        let linear = try #require(try token(board, .mcpRemote, "https://mcp.linear.app/sse").advice(now: now))
        #expect(linear.snippet == nil)  // a URL is no server name for a snippet
        #expect(linear.importCommand == "mcptop import --from claude-desktop")
    }

    @Test func readingChangesNoFile() throws {
        let home = try FixtureHome("home")
        let before = try home.fingerprints()
        _ = board(home)
        #expect(try home.fingerprints() == before)
    }
}
