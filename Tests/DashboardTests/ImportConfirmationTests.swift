import Config
import Foundation
import Support
import Testing

@testable import Dashboard

/// `i` lists what it would import — each server's command or URL, what is skipped and why — and
/// imports only on `y` or Enter; Esc and n cancel. At 80×24 a long list scrolls.
@Suite struct ImportConfirmationTests {
    static let context7 = ForeignServer(
        name: "context7", client: .codex, file: "/home/u/.codex/config.toml",
        entry: ["command": "npx", "args": ["-y", "@upstash/context7-mcp"]], target: "npx -y @upstash/context7-mcp")
    static let figma = ForeignServer(
        name: "figma", client: .windsurf, file: "/home/u/.codeium/windsurf/mcp_config.json",
        entry: ["url": "https://mcp.figma.com/mcp"], target: "https://mcp.figma.com/mcp")
    static let preview = ImportPreview(
        request: .everything, configFile: "/home/u/.config/mcptop/config.json", added: [context7, figma],
        skipped: ["asks-for-input: uses ${input:pat}, which only VS Code can fill"])

    func press(_ keys: [Key], _ state: inout DashboardState) -> [Effect] {
        keys.flatMap { Reducer.reduce(&state, .key($0)) }
    }

    func rows(_ state: DashboardState) -> [String] { Renderer.render(state).text.components(separatedBy: "\n") }

    @Test func iListsWhatWouldBeAddedAndOnlyYImportsIt() {
        var state = OtherTokensTests.state()
        #expect(press([.character("i")], &state) == [.previewImport(.everything)])
        _ = Reducer.reduce(&state, .importPreview(Self.preview))
        #expect(state.overlay == .confirmImport(Self.preview, scroll: 0))
        let text = rows(state).joined(separator: "\n")
        for shown in [
            "Import 2 servers? y imports, Esc cancels", "context7  (from Codex)", "runs: npx -y @upstash/context7-mcp",
            "figma  (from Windsurf)", "url: https://mcp.figma.com/mcp", "y starts the command above: mcptop watches",
            "asks-for-input: uses ${input:pat}",
        ] {
            #expect(text.contains(shown), "\(shown)\n\(text)")
        }
        #expect(rows(state).last?.contains("yImport") == true && rows(state).last?.contains("EscCancel") == true)
        // Keys the popup does not use change nothing.
        #expect(press([.character("q"), .character("i"), .character("a")], &state).isEmpty)
        #expect(state.overlay == .confirmImport(Self.preview, scroll: 0))
        for cancel in [Key.escape, .character("n")] {
            #expect(press([cancel], &state).isEmpty)
            #expect(state.overlay == nil)
            #expect(state.status?.text == "import cancelled: nothing was written")
            _ = Reducer.reduce(&state, .importPreview(Self.preview))
        }
        for confirm in [Key.character("y"), .enter] {
            #expect(press([confirm], &state) == [.importServers(.servers([Self.context7, Self.figma]))])
            #expect(state.overlay == nil)
            #expect(state.status?.text == "importing context7, figma…")
            _ = Reducer.reduce(&state, .importPreview(Self.preview))
        }
    }

    @Test func nothingToAddOrAProblemSaysSoWithoutAPopup() {
        var state = OtherTokensTests.state()
        var preview = ImportPreview(request: .everything, configFile: "c.json", problem: "c.json:1:2: bad JSON")
        _ = Reducer.reduce(&state, .importPreview(preview))
        #expect(state.overlay == nil)
        #expect(state.status?.text == "nothing imported: c.json:1:2: bad JSON")
        preview.problem = nil
        _ = Reducer.reduce(&state, .importPreview(preview))
        #expect(state.overlay == nil)
        #expect(state.status?.text == "nothing to import: no server in other clients' configs")
    }

    @Test func aLongListScrollsAtEightyByTwentyFour() throws {
        var state = OtherTokensTests.state(width: 80, height: 24)
        let servers = (1...30).map { index in
            ForeignServer(
                name: "server-\(index)", client: .claudeCode, file: "/home/u/.claude.json",
                entry: ["command": "npx", "args": [.string("server-\(index)")]], target: "npx server-\(index)")
        }
        let preview = ImportPreview(request: .everything, configFile: "c.json", added: servers)
        _ = Reducer.reduce(&state, .importPreview(preview))
        var text = rows(state).joined(separator: "\n")
        #expect(text.contains("server-1 ") && !text.contains("server-30 "))
        #expect(text.contains("(↑↓ PgDn scroll)"))
        _ = press([.pageDown, .pageDown, .character(" "), .pageDown], &state)
        text = rows(state).joined(separator: "\n")
        #expect(text.contains("server-30 ") && text.contains("npx server-30"), "\(text)")
        #expect(text.contains("y starts the 30 commands above"))
        let end = try #require({ if case .confirmImport(_, let scroll)? = state.overlay { scroll } else { nil } }())
        _ = press([.down, .pageDown], &state)
        #expect(state.overlay == .confirmImport(preview, scroll: end), "stops at the end")
        _ = press([.pageUp, .pageUp, .pageUp, .pageUp, .up], &state)
        #expect(state.overlay == .confirmImport(preview, scroll: 0))
    }

    @Test func fromTheBoardTheImportGoesBackToTheBoard() {
        var state = OtherTokensTests.state()
        let token = OtherTokensTests.board.tokens[1]
        _ = press([.character("o"), .down], &state)
        #expect(press([.character("i")], &state) == [.previewImport(.server(token))])
        let preview = ImportPreview(request: .server(token), configFile: "c.json", added: [Self.figma])
        _ = Reducer.reduce(&state, .importPreview(preview))
        #expect(rows(state).joined(separator: "\n").contains("Import 1 server? y imports, Esc cancels"))
        _ = press([.escape], &state)
        #expect(state.overlay == .otherTokens(selected: 1))
        _ = Reducer.reduce(&state, .importPreview(preview))
        #expect(press([.character("y")], &state) == [.importServers(.servers([Self.figma]))])
        #expect(state.overlay == .otherTokens(selected: 1))
    }
}
