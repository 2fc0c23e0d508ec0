import Config
import Foundation
import SnapshotTesting
import Support
import Testing

@testable import Dashboard

/// The other clients' token board (`o`) and the import keys (`i`), at the reducer and the
/// renderer.
@Suite struct OtherTokensTests {
    static let now = RenderTests.now

    /// Three rows: ending soon with a refresh token, expired without one, valid.
    static var board: OtherTokenBoard {
        OtherTokenBoard(
            tokens: [
                OtherToken(
                    holder: .geminiCLI, server: "stripe", serverURL: "https://mcp.stripe.com",
                    file: "/home/u/.gemini/mcp-oauth-tokens.json", hasRefreshToken: true,
                    expiresAt: now.addingTimeInterval(600), updatedAt: now.addingTimeInterval(-3600)),
                OtherToken(
                    holder: .mcpRemote, server: "https://mcp.linear.app/sse", serverURL: "https://mcp.linear.app/sse",
                    file: "/home/u/.mcp-auth/mcp-remote-0.1.29/2d1a8aae3765090858d82f5630192064_tokens.json",
                    hasRefreshToken: false, expiresAt: now.addingTimeInterval(-300),
                    updatedAt: now.addingTimeInterval(-3900), expiryFromFileTime: true),
                OtherToken(
                    holder: .claudeCode, server: "sentry", serverURL: "https://mcp.sentry.dev/mcp",
                    file: "/home/u/.claude/.credentials.json", hasRefreshToken: true,
                    expiresAt: now.addingTimeInterval(3000), updatedAt: now.addingTimeInterval(-600)),
            ],
            unreadable: [
                UnreadableTokenStore(
                    holder: .geminiCLI, file: "/home/u/.gemini/mcp-oauth-tokens-v2.json",
                    reason: "encrypted by Gemini CLI (its key is not in the file)")
            ])
    }

    static func state(width: Int = 80, height: Int = 24) -> DashboardState {
        var state = RenderTests.state(width: width, height: height)
        state.otherClients = OtherClients(board: board)
        return state
    }

    func press(_ keys: [Key], _ state: inout DashboardState) -> [Effect] {
        keys.flatMap { Reducer.reduce(&state, .key($0)) }
    }

    @Test func oOpensTheBoardAndIImportsTheSelectedRowsServer() {
        var state = Self.state()
        #expect(press([.character("o")], &state).isEmpty)
        #expect(state.overlay == .otherTokens(selected: 0))
        #expect(press([.character("j"), .down, .down], &state).isEmpty)
        #expect(state.overlay == .otherTokens(selected: 2), "stops at the last row")
        _ = press([.up], &state)
        #expect(press([.character("i")], &state) == [.previewImport(.server(Self.board.tokens[1]))])
        #expect(state.overlay == .otherTokens(selected: 1), "nothing is imported before the confirmation")
        _ = press([.escape], &state)
        #expect(state.overlay == nil)
    }

    @Test func iOnTheServerListAsksForAPreviewOrSaysThereIsNothing() {
        var state = Self.state()
        #expect(press([.character("i")], &state) == [.previewImport(.everything)])
        #expect(state.overlay == nil)
        _ = Reducer.reduce(
            &state,
            .importPreview(
                ImportPreview(
                    request: .everything, configFile: "config.json",
                    skipped: ["figma: already in mcptop's config"])))
        #expect(state.overlay == nil, "no popup when nothing would be added")
        #expect(state.status?.text == "nothing to import: figma: already in mcptop's config")
        #expect(state.status?.role == .warn)
        _ = Reducer.reduce(&state, .imported(summary: "imported figma", role: .ok))
        #expect(state.status?.text == "imported figma")
    }

    @Test func theBoardUsesTheCountdownColoursOfMcptopsOwnRows() throws {
        var state = Self.state()
        state.overlay = .otherTokens(selected: 0)
        let screen = Renderer.render(state)
        let lines = screen.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func row(_ needle: String) throws -> Int { try #require(lines.firstIndex { $0.contains(needle) }, "\(needle)") }
        let header = try row("TOKEN")
        let column = lines[header].distance(
            from: lines[header].startIndex, to: try #require(lines[header].range(of: "TOKEN")).lowerBound)
        #expect(lines[try row("stripe")].contains("10:00"))
        #expect(lines[try row("linear")].contains("expired"))
        #expect(screen.role(row: try row("stripe"), column: column) == .warn)
        #expect(screen.role(row: try row("linear"), column: column) == .error)
        #expect(screen.role(row: try row("sentry"), column: column) == .ok)
    }

    @Test func theBoardAt80x24() {
        var state = Self.state()
        state.overlay = .otherTokens(selected: 0)
        assertSnapshot(of: Renderer.render(state).text, as: .lines)
        state.overlay = .otherTokens(selected: 1)
        assertSnapshot(of: Renderer.render(state).text, as: .lines, named: "dead-token")
    }

    @Test func theEmptyStateOffersTheImport() {
        var state = DashboardState(now: Self.now, width: 80, height: 24, themeName: "dark", configFile: "config.json")
        state.otherClients.importable = [
            ForeignServer(
                name: "figma", client: .windsurf, file: "f", entry: ["url": "https://mcp.figma.com/mcp"], target: "t"),
            ForeignServer(name: "files", client: .claudeDesktop, file: "g", entry: ["command": "x"], target: "x"),
        ]
        let text = Renderer.render(state).text
        #expect(text.contains("Found 2 servers in the configs of Windsurf, Claude Desktop: press i to"))
        #expect(!text.contains("o shows when the tokens"))
        state.otherClients.board = Self.board
        #expect(Renderer.render(state).text.contains("o shows when the tokens those clients hold expire."))
        state.otherClients = OtherClients()
        #expect(!Renderer.render(state).text.contains("press i"))
    }

    /// The fixtures' token stores hold recognisable fake secrets: none reaches the screen.
    @Test func noSecretFromTheFixturesIsDrawn() throws {
        let home = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../ConfigTests/Fixtures/home").standardized.path
        let board = OtherTokenReader.read(environment: ["HOME": home])
        #expect(board.tokens.count >= 6)
        var state = Self.state(width: 200, height: 60)
        state.otherClients = OtherClients(board: board)
        for index in board.tokens.indices {
            state.overlay = .otherTokens(selected: index)
            let text = Renderer.render(state).text
            #expect(!text.contains("FAKE-SECRET"))
        }
    }
}
