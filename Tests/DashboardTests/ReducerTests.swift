import Dashboard
import Foundation
import Support
import Testing

@testable import MCPClient
@testable import Monitor

@Suite struct ReducerTests {
    static func tool(_ name: String, _ schema: JSONValue) -> Tool {
        Tool(json: ["name": .string(name), "description": "d", "inputSchema": schema])!
    }

    static var state: DashboardState {
        var state = RenderTests.state()
        var servers = RenderTests.servers
        servers[0].tools = [
            tool(
                "echo",
                ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]),
            tool(
                "add",
                ["type": "object", "properties": ["a": ["type": "number"], "b": ["type": "integer", "minimum": 1]]]),
        ]
        state.servers = servers
        return state
    }

    func press(_ keys: [Key], _ state: inout DashboardState) -> [Effect] {
        keys.flatMap { Reducer.reduce(&state, .key($0)) }
    }

    func type(_ text: String) -> [Key] { text.map { .character($0) } }

    @Test func quitHelpAndSelection() {
        var state = Self.state
        #expect(press([.character("q")], &state) == [.quit])
        #expect(press([.function(10)], &state) == [.quit])
        _ = press([.character("?")], &state)
        #expect(state.overlay == .help)
        _ = press([.character("x")], &state)
        #expect(state.overlay == .help, "a key the help does not use leaves it open")
        _ = press([.escape], &state)
        #expect(state.overlay == nil)
        _ = press([.down, .down, .down, .down], &state)
        #expect(state.selectedServer?.name == "legacy", "selection stops at the last row")
        _ = press([.up, .character("k")], &state)
        #expect(state.selectedServer?.name == "acme")
    }

    /// At 80×24 the help is several pages long: PgDn, space, G and the rest scroll it; only
    /// Esc, q and ? close it.
    @Test func theHelpScrollsByPagesAndClosesOnlyOnEscQOrQuestionMark() {
        var state = RenderTests.state(width: 80, height: 24)
        _ = press([.character("?")], &state)
        let page = 24 - 4
        _ = press([.pageDown], &state)
        #expect(state.helpScroll == page)
        _ = press([.character(" ")], &state)
        #expect(state.helpScroll == 2 * page)
        _ = press([.pageUp], &state)
        #expect(state.helpScroll == page)
        _ = press([.character("G")], &state)
        let last = state.helpScroll
        #expect(last > 2 * page, "the help is longer than three pages at 80×24")
        _ = press([.pageDown, .end, .down], &state)
        #expect(state.helpScroll == last, "stops at the last page")
        let bottom = Renderer.render(state).text
        #expect(bottom.contains("result"), "the last page shows the end of the help (the tool pane's modes)")
        _ = press([.character("g")], &state)
        #expect(state.helpScroll == 0)
        _ = press([.end, .home], &state)
        #expect(state.helpScroll == 0)
        #expect(state.overlay == .help)
        let footer = Renderer.render(state).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(footer.contains("PgUpPage") && footer.contains("EscClose"), "\(footer)")
        for close in [Key.escape, .character("q"), .character("?")] {
            _ = press([.character("?")], &state)
            _ = press([close], &state)
            #expect(state.overlay == nil, "\(close) closes the help")
        }
    }

    @Test func keysBecomeCommandsForTheSelectedServer() {
        var state = Self.state
        #expect(press([.character("r")], &state) == [.command(server: "acme", .refreshNow)])
        #expect(press([.character("c")], &state) == [.command(server: "acme", .reconnect)])
        #expect(
            press([.character("a")], &state) == [.command(server: "acme", .login(openBrowser: true, extraScopes: []))])
        #expect(press([.character("T")], &state) == [.nextTheme])
        // files is a stdio server: nothing to refresh or log in to, and the status line says so.
        _ = press([.down], &state)
        #expect(press([.character("c")], &state) == [.command(server: "files", .reconnect)])
        #expect(press([.character("r")], &state).isEmpty)
        #expect(state.status?.text == "files: no login to refresh")
    }

    @Test func filterAndSort() {
        var state = Self.state
        _ = press([.character("/")] + type("leg") + [.enter], &state)
        #expect(state.visible.map(\.name) == ["legacy"])
        _ = press([.escape], &state)
        #expect(state.visible.count == 3)
        _ = press([.character("s")], &state)
        #expect(state.sort == .state)
        #expect(state.visible.first?.name == "legacy", "problems first")
    }

    @Test func toolPaneValidatesThenRunsAndCancels() {
        var state = Self.state
        _ = press([.character("t")], &state)
        guard case .tools(let pane)? = state.overlay else {
            Issue.record("the tool pane did not open")
            return
        }
        #expect(pane.tools.map(\.name) == ["echo", "add"])
        // Running with the required field empty is refused at the field.
        #expect(press([.function(5)], &state).isEmpty)
        guard case .tools(let refused)? = state.overlay else { return }
        #expect(refused.errors["text"] == "required")
        #expect(refused.focus == .form, "the refusal moves to the field that needs fixing")
        // Fill it in and run.
        let effects = press([.enter] + type("hello") + [.enter, .function(5)], &state)
        #expect(effects == [.callTool(server: "acme", tool: "echo", arguments: ["text": "hello"])])
        _ = Reducer.reduce(&state, .callStarted(server: "acme", id: 1))
        guard case .tools(let started)? = state.overlay else { return }
        #expect(started.callID == 1)
        #expect(started.focus == .result)
    }

    @Test func aRunningCallIsCancelledWithEscape() {
        var state = Self.state
        var servers = state.servers
        servers[0].calls.append(
            CallRecord(
                id: 7, tool: "echo", argumentsDigest: "", startedAt: RenderTests.now, duration: nil, outcome: .running,
                lastProgress: nil, detail: nil, result: nil))
        state.servers = servers
        _ = press([.character("t")], &state)
        _ = Reducer.reduce(&state, .callStarted(server: "acme", id: 7))
        #expect(press([.escape], &state) == [.cancelCall(server: "acme", id: 7)])
        #expect(state.overlay != nil, "the pane stays open while the call is cancelled")
    }

    @Test func rawJSONErrorsAreShownNotSent() {
        var state = Self.state
        _ = press([.character("t"), .down, .function(2), .tab, .enter], &state)
        _ = press([.backspace, .backspace, .backspace] + type("oops"), &state)
        #expect(press([.function(5)], &state).isEmpty)
        guard case .tools(let pane)? = state.overlay else { return }
        #expect(pane.errors[""]?.contains("invalid JSON") == true)
    }

    @Test func aLoginURLFromTheMonitorOpensThePopup() {
        var state = Self.state
        let url = "https://auth.example.com/authorize?x=1"
        let event = MonitorEvent(
            server: "acme", time: RenderTests.now, kind: .login(.waitingForBrowser(url: url, scopes: [])))
        _ = Reducer.reduce(&state, .event(event))
        #expect(state.overlay == .loginURL(server: "acme", url: url))
        #expect(state.log.all.last?.contains("open to log in") == true)
    }

    @Test func theEventLogCountsToolsInGoodEnglish() {
        var state = Self.state
        for count in [1, 2] {
            _ = Reducer.reduce(
                &state, .event(MonitorEvent(server: "acme", time: RenderTests.now, kind: .toolsListed(count: count))))
        }
        #expect(state.log.all.suffix(2).map { $0.hasSuffix("acme: 1 tool") } == [true, false])
        #expect(state.log.all.last?.hasSuffix("acme: 2 tools") == true)
    }
}
