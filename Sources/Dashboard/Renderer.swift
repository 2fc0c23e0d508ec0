import Foundation
import MCPClient
import Monitor
import Support

/// state → Screen. Pure: the same state always gives the same cells. Each part of the screen
/// has a file of its own: `ServerTable`, `DetailPane`, `DescribeView`, `ToolPaneView` and the
/// overlays in `Overlays.swift`.
public enum Renderer {
    public static func render(_ state: DashboardState, unicode: Bool = true) -> Screen {
        var memo = RowMemo()
        return render(state, unicode: unicode, memo: &memo)
    }

    /// Table rows drawn in earlier frames (see `ServerTable.Memo`).
    public struct RowMemo: Sendable {
        var table = ServerTable.Memo()
        public init() {}
    }

    /// Renders with rows kept from earlier frames; the result equals `render(state, unicode:)`.
    public static func render(_ state: DashboardState, unicode: Bool = true, memo: inout RowMemo) -> Screen {
        var screen = Screen(width: state.width, height: state.height, unicode: unicode)
        guard state.width >= Layout.minimumWidth, state.height >= Layout.minimumHeight else {
            tooSmall(&screen, state)
            return screen
        }
        titleBar(&screen, state)
        if state.servers.isEmpty {
            emptyState(&screen, state)
        } else {
            let tableHeight = ServerTable.draw(&screen, state, memo: &memo.table)
            DetailPane.draw(&screen, state, top: Layout.tableTop + tableHeight + 1)
        }
        bottomBars(&screen, state)
        switch state.overlay {
        case .help?: HelpView.draw(&screen, scroll: state.helpScroll)
        case .loginURL(let server, let url, let offersDeviceLogin)?:
            LoginPopup.draw(&screen, server: server, url: url, offersDeviceLogin: offersDeviceLogin)
        case .deviceCode(let server, let code, let uri, let complete)?:
            LoginPopup.drawDevice(
                &screen, server: server, userCode: code, verificationURI: uri, complete: complete,
                darkIsInk: state.popupIsLight)
        case .log?: LogView.draw(&screen, state)
        case .tools(let pane)?: ToolPaneView.draw(&screen, pane: pane, state: state)
        case .describe(let server, let scroll)?: DescribeView.draw(&screen, state, server: server, scroll: scroll)
        case .otherTokens(let selected)?: OtherTokensView.draw(&screen, state, selected: selected)
        case .confirmImport(let preview, let scroll)?:
            ImportConfirmView.draw(&screen, preview: preview, scroll: scroll)
        case nil: break
        }
        return screen
    }

    // MARK: Pieces

    private static func tooSmall(_ screen: inout Screen, _ state: DashboardState) {
        let lines = [
            "mcptop needs \(Layout.minimumWidth)×\(Layout.minimumHeight)",
            "this terminal is \(state.width)×\(state.height)", "q quits",
        ]
        for (index, line) in lines.enumerated() {
            let text = DisplayWidth.truncate(line, to: max(1, state.width))
            let column = max(0, (state.width - DisplayWidth.of(text)) / 2)
            screen.write(text, row: state.height / 2 - 1 + index, column: column, role: index == 0 ? .warn : .dim)
        }
    }

    private static func titleBar(_ screen: inout Screen, _ state: DashboardState) {
        screen.fill(row: 0, from: 0, to: screen.width, role: .title)
        let (ok, busy, problem) = (state.phaseCounts.ok, state.phaseCounts.busy, state.phaseCounts.problem)
        let total = state.servers.count
        let shown = state.filter.isEmpty ? "\(total)" : "\(state.visible.count) of \(total)"
        var text = " mcptop  \(shown) server\(total == 1 ? "" : "s")"
        if ok > 0 { text += "  \(symbol(.ok, screen.unicode)) \(ok) connected" }
        if busy > 0 { text += "  \(symbol(.busy, screen.unicode)) \(busy) busy" }
        if problem > 0 {
            text += "  \(symbol(.problem, screen.unicode)) \(problem) need\(problem == 1 ? "s" : "") attention"
        }
        screen.write(text, row: 0, column: 0, role: .title)
        let clock = TimeText.clock(state.now, utcOffset: state.utcOffset) + " "
        screen.write(clock, row: 0, column: screen.width - DisplayWidth.of(clock), role: .title)
    }

    enum Group { case ok, busy, problem }

    static func symbol(_ group: Group, _ unicode: Bool) -> String {
        switch group {
        case .ok: return unicode ? "●" : "+"
        case .busy: return unicode ? "◐" : "~"
        case .problem: return unicode ? "✖" : "!"
        }
    }

    private static func emptyState(_ screen: inout Screen, _ state: DashboardState) {
        let lines: [(String, Role)] = [
            ("No MCP servers are configured.", .header),
            ("", .normal),
            ("Add one to \(state.configFile), for example:", .normal),
            ("", .normal),
            (#"  {"mcpServers": {"#, .accent),
            (#"    "remote": {"url": "https://mcp.example.com/mcp"},"#, .accent),
            (#"    "local":  {"command": "npx", "args": ["-y", "some-mcp-server"]}"#, .accent),
            (#"  }}"#, .accent),
            ("", .normal),
            (
                "The same file Claude Desktop, Cursor, Gemini CLI and VS Code use works as it is "
                    + "(point to it with --config or MCPTOP_CONFIG).", .dim
            ),
            ("", .normal),
            ("Or try it all first:  mcptop demo", .ok),
        ]
        let importable = state.otherClients.importable
        // Other clients' servers and tokens come first when there are any: one key away.
        var offer: [(String, Role)] = []
        if !importable.isEmpty {
            offer.append(
                (
                    "Found \(NumberText.counted(importable.count, "server")) in the configs of "
                        + "\(state.otherClients.importableOrigins.joined(separator: ", ")): press i to import them.",
                    .ok
                ))
        }
        if !state.otherClients.board.tokens.isEmpty {
            offer.append(("o shows when the tokens those clients hold expire.", .normal))
        }
        let shown = (offer.isEmpty ? lines : offer + [("", .normal)] + lines).flatMap { line, role in
            line.isEmpty ? [(line, role)] : DisplayWidth.wrap(line, to: max(10, screen.width - 4)).map { ($0, role) }
        }
        for (index, (line, role)) in shown.enumerated() where 3 + index < screen.height - 2 {
            screen.write(line, row: 3 + index, column: 3, role: role, limit: screen.width - 4)
        }
    }

    /// The status line and, below it, the keys of whatever has the focus.
    private static func bottomBars(_ screen: inout Screen, _ state: DashboardState) {
        let statusRow = screen.height - 2
        if state.editingFilter {
            screen.write("/" + state.filter + (screen.unicode ? "▏" : "_"), row: statusRow, column: 1, role: .input)
        } else if let status = state.status {
            screen.write(status.text, row: statusRow, column: 1, role: status.role)
        } else if !state.filter.isEmpty {
            screen.write("filter: \(state.filter)  (Esc clears)", row: statusRow, column: 1, role: .dim)
        }
        let hints: [(key: String, label: String)]
        if state.editingFilter {
            hints = [("Enter", "Keep"), ("Esc", "Clear")]
        } else if case .tools(let pane)? = state.overlay {
            hints = ToolPaneView.hints(pane: pane)
        } else if let scope = Reducer.scope(of: state) {
            hints = KeyBinding.hints(for: scope, unavailable: Reducer.unavailable(in: state))
        } else {
            hints = []
        }
        let row = screen.height - 1
        screen.fill(row: row, from: 0, to: screen.width, role: .hint)
        var x = 0
        for (key, label) in hints {
            guard x + DisplayWidth.of(key) + DisplayWidth.of(label) + 2 <= screen.width else { break }
            x = screen.write(key, row: row, column: x, role: .hintKey)
            x = screen.write(label + " ", row: row, column: x, role: .hint)
        }
    }
}

extension ConnectionState.Phase {
    var group: Renderer.Group {
        switch self {
        case .connected: return .ok
        case .needsLogin, .failed, .backoff, .config: return .problem
        case .idle, .connecting, .authorizing, .refreshing: return .busy
        }
    }

    var role: Role {
        switch group {
        case .ok: return .ok
        case .busy: return .warn
        case .problem: return self == .backoff ? .warn : .error
        }
    }
}

extension CallRecord.Outcome {
    var role: Role {
        switch self {
        case .ok: return .ok
        case .running: return .accent
        case .cancelled: return .warn
        case .isError, .protocolError, .authError: return .error
        }
    }
}
