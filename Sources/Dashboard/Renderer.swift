import Foundation
import MCPClient
import Monitor

/// state → Screen. Pure: the same state always gives the same cells.
public enum Renderer {
    public static func render(_ state: DashboardState, unicode: Bool = true) -> Screen {
        var memo = RowMemo()
        return render(state, unicode: unicode, memo: &memo)
    }

    /// Server table rows drawn in earlier frames, reused while nothing a row shows has
    /// changed: the servers (a new fetch), the column widths, the drawing mode, and for rows
    /// that show a countdown or an age, the time. A second's tick then redraws only those.
    public struct RowMemo: Sendable {
        fileprivate struct Key: Equatable {
            var revision: Int
            var widths: [Int]
            var unicode: Bool
            var now: Date?
        }
        /// By table row: the server it showed, the inputs and the cells.
        fileprivate var rows: [(server: String, key: Key, cells: [Cell])] = []
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
            let tableHeight = serverTable(&screen, state, memo: &memo)
            detailPane(&screen, state, top: Layout.tableTop + tableHeight + 1)
        }
        bottomBars(&screen, state)
        switch state.overlay {
        case .help?: HelpView.draw(&screen)
        case .loginURL(let server, let url)?: loginPopup(&screen, server: server, url: url)
        case .log?: logView(&screen, state)
        case .tools(let pane)?: ToolPaneView.draw(&screen, pane: pane, state: state)
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
        var text = " mcptop  \(state.servers.count) server\(state.servers.count == 1 ? "" : "s")"
        if ok > 0 { text += "  \(symbol(.ok, screen.unicode)) \(ok) connected" }
        if busy > 0 { text += "  \(symbol(.busy, screen.unicode)) \(busy) busy" }
        if problem > 0 { text += "  \(symbol(.problem, screen.unicode)) \(problem) need attention" }
        screen.write(text, row: 0, column: 0, role: .title)
        let clock = Reducer.clock(state.now, offset: state.utcOffset) + " "
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
            ("The same file Claude Desktop, Cursor, Gemini CLI and VS Code use works as it is", .dim),
            ("(point to it with --config or MCPTOP_CONFIG).", .dim),
            ("", .normal),
            ("Or try it all first:  mcptop demo", .ok),
        ]
        for (index, (line, role)) in lines.enumerated() where 3 + index < screen.height - 2 {
            screen.write(line, row: 3 + index, column: 3, role: role)
        }
    }

    static let columns: [(title: String, width: Int)] = [
        ("NAME", 14), ("TRANSPORT", 11), ("STATE", 22), ("TOKEN", 16), ("REFRESH", 9), ("LAST CALL", 14),
        ("CALLS", 5), ("ERR", 4),
    ]

    /// Draws the table and returns how many rows it used (header excluded).
    private static func serverTable(_ screen: inout Screen, _ state: DashboardState, memo: inout RowMemo) -> Int {
        let visible = state.visible
        let available = max(3, (screen.height - 6) / 2)
        let rows = min(visible.count, available)
        // Column widths: STATE takes what the others leave.
        var widths = columns.map(\.width)
        let fixed = widths.enumerated().filter { $0.offset != 2 }.map(\.element).reduce(0, +) + columns.count
        widths[2] = max(12, screen.width - fixed)
        var x = 0
        screen.fill(row: 1, from: 0, to: screen.width, role: .header)
        for (index, column) in columns.enumerated() {
            var title = column.title
            if state.sort.header == index { title += screen.unicode ? "▾" : "v" }
            screen.write(title, row: 1, column: x, role: .header, field: widths[index])
            x += widths[index] + 1
        }
        let first = max(0, min(state.selected - rows + 1, visible.count - rows))
        var drawn: [(server: String, key: RowMemo.Key, cells: [Cell])] = []
        drawn.reserveCapacity(rows)
        for offset in 0..<rows {
            let server = visible[first + offset]
            let row = Layout.tableTop + offset
            let selected = first + offset == state.selected
            let key = RowMemo.Key(
                revision: state.serversRevision, widths: widths, unicode: screen.unicode,
                now: rowShowsTime(server) ? state.now : nil)
            if offset < memo.rows.count, memo.rows[offset].server == server.name, memo.rows[offset].key == key {
                screen.replace(row: row, with: memo.rows[offset].cells)
            } else {
                serverRow(&screen, server, row: row, widths: widths, now: state.now)
            }
            drawn.append((server.name, key, screen.rows[row]))
            if selected { screen.restyle(row: row, from: 0, to: screen.width, role: .selected) }
        }
        memo.rows = drawn
        if visible.isEmpty {
            screen.write("  no server matches \"\(state.filter)\"", row: Layout.tableTop, column: 0, role: .dim)
            return 1
        }
        return rows
    }

    /// Whether `serverRow` shows anything that changes with the time alone (a retry countdown,
    /// the token's countdown and gauge, the refresh token's age). Keep the two in step.
    private static func rowShowsTime(_ server: ServerSnapshot) -> Bool {
        server.state.retryAt != nil || server.token != nil
    }

    private static func serverRow(_ screen: inout Screen, _ server: ServerSnapshot, row: Int, widths: [Int], now: Date)
    {
        var x = 0
        func cell(_ text: String, _ index: Int, _ role: Role = .normal) {
            screen.write(text, row: row, column: x, role: role, field: widths[index])
            x += widths[index] + 1
        }
        cell(server.name, 0)
        let revision = server.serverInfo.map { " \(short($0.protocolVersion))" } ?? ""
        cell(server.transport + revision, 1, .dim)
        let phase = server.state.phase
        var stateText = "\(symbol(phase.group, screen.unicode)) \(phase.rawValue)"
        if let retryAt = server.state.retryAt {
            stateText += " \(countdown(retryAt.timeIntervalSince(now)))"
        }
        stateText += " " + server.state.reason
        cell(stateText, 2, phase.role)
        tokenCell(&screen, server, row: row, column: x, width: widths[3], now: now)
        x += widths[3] + 1
        if let token = server.token {
            let age = token.refreshTokenObtainedAt.map { " " + countdown(now.timeIntervalSince($0)) } ?? ""
            cell(token.hasRefreshToken ? "yes\(age)" : "none", 4, token.hasRefreshToken ? .normal : .warn)
        } else {
            cell("-", 4, .dim)
        }
        if let call = server.calls.last {
            let duration = call.duration.map { milliseconds($0) } ?? "…"
            cell("\(call.tool) \(duration)", 5, call.outcome.role)
        } else {
            cell("-", 5, .dim)
        }
        cell("\(server.callCount)", 6)
        cell("\(server.errorCount)", 7, server.errorCount > 0 ? .error : .normal)
    }

    /// "12:34 ▇▇▇▇▆░░░" — time left and a small gauge of the lifetime left.
    private static func tokenCell(
        _ screen: inout Screen, _ server: ServerSnapshot, row: Int, column: Int, width: Int, now: Date
    ) {
        guard let token = server.token else {
            screen.write(
                server.transport == "stdio" ? "-" : "no login", row: row, column: column, role: .dim, field: width)
            return
        }
        if token.unusableReason != nil {
            screen.write("login needed", row: row, column: column, role: .error, field: width)
            return
        }
        guard let expiry = token.expiresAt else {
            screen.write("no expiry", row: row, column: column, role: .dim, field: width)
            return
        }
        let left = expiry.timeIntervalSince(now)
        let lifetime = max(1, token.obtainedAt.map { expiry.timeIntervalSince($0) } ?? 3600)
        let fraction = max(0, min(1, left / lifetime))
        let role: Role = left <= 0 ? .error : fraction < 0.2 ? .warn : .ok
        let text = left <= 0 ? "expired" : countdown(left)
        let end = screen.write(text, row: row, column: column, role: role, field: 7)
        let gaugeWidth = max(0, width - 8)
        let filled = Int((Double(gaugeWidth) * fraction).rounded())
        let full: Character = screen.unicode ? "█" : "#"
        let empty: Character = screen.unicode ? "░" : "."
        screen.fill(
            row: row, from: end + 1, to: end + 1 + filled, role: role == .ok ? .gaugeFull : role, character: full)
        screen.fill(
            row: row, from: end + 1 + filled, to: end + 1 + gaugeWidth, role: .gaugeEmpty, character: empty)
    }

    private static func detailPane(_ screen: inout Screen, _ state: DashboardState, top: Int) {
        guard let server = state.selectedServer, top < screen.height - 3 else { return }
        let rule: Character = screen.unicode ? "─" : "-"
        screen.fill(row: top - 1, from: 0, to: screen.width, role: .border, character: rule)
        screen.write(" \(server.name) ", row: top - 1, column: 2, role: .accent)
        screen.write(
            " \(server.target) ", row: top - 1, column: 4 + DisplayWidth.of(server.name) + 2, role: .dim,
            limit: screen.width / 2)
        let bottom = screen.height - 2
        let leftWidth = screen.width * 3 / 5
        var row = top
        // Left: recent calls, then the state history.
        screen.write("Recent calls", row: row, column: 1, role: .header)
        row += 1
        let calls = server.calls.suffix(max(0, (bottom - top) / 2 - 1)).reversed()
        if calls.isEmpty { screen.write("none yet (t opens the tool pane)", row: row, column: 2, role: .dim) }
        for call in calls where row < bottom {
            let progress =
                call.lastProgress.map { p in
                    call.outcome == .running
                        ? " \(JSONValue.format(p.progress))\(p.total.map { "/\(JSONValue.format($0))" } ?? "")" : ""
                } ?? ""
            let duration = call.duration.map { milliseconds($0) } ?? "running"
            let line =
                "\(Reducer.clock(call.startedAt, offset: state.utcOffset)) \(call.tool) \(duration) \(call.outcome.rawValue)\(progress) \(call.argumentsDigest)"
            screen.write(line, row: row, column: 2, role: call.outcome.role, limit: leftWidth - 3)
            row += 1
        }
        row = max(row, top + 2) + 1
        if row < bottom {
            screen.write("State history", row: row, column: 1, role: .header)
            row += 1
            for past in (server.history + [server.state]).reversed() where row < bottom {
                let line =
                    "\(Reducer.clock(past.since, offset: state.utcOffset)) \(past.phase.rawValue): \(past.reason)"
                screen.write(line, row: row, column: 2, role: past.phase.role, limit: leftWidth - 3)
                row += 1
            }
        }
        // Right: token facts and the auth timeline.
        let x = leftWidth + 1
        let width = screen.width - x - 1
        row = top
        screen.write("Token", row: row, column: x, role: .header)
        row += 1
        for (line, role) in tokenFacts(server, now: state.now) where row < bottom {
            screen.write(line, row: row, column: x + 1, role: role, limit: width)
            row += 1
        }
        row += 1
        if row < bottom, !server.authSteps.isEmpty {
            screen.write("Auth timeline", row: row, column: x, role: .header)
            row += 1
            for step in server.authSteps.reversed() where row < bottom {
                screen.write(
                    "\(Reducer.clock(step.time, offset: state.utcOffset)) \(step)", row: row, column: x + 1, role: .dim,
                    limit: width)
                row += 1
            }
        }
    }

    static func tokenFacts(_ server: ServerSnapshot, now: Date) -> [(String, Role)] {
        guard let token = server.token else {
            return [(server.transport == "stdio" ? "stdio: no login" : "no login stored (a logs in)", .dim)]
        }
        var lines: [(String, Role)] = []
        if let reason = token.unusableReason { lines.append(("needs login: \(reason)", .error)) }
        if let expiry = token.expiresAt {
            let left = expiry.timeIntervalSince(now)
            lines.append(
                (
                    left > 0 ? "expires in \(countdown(left))" : "expired \(countdown(-left)) ago",
                    left > 0 ? .ok : .error
                ))
        } else {
            lines.append(("expiry unknown (no expires_in)", .warn))
        }
        if let due = server.refreshDue {
            lines.append(("next refresh in \(countdown(due.timeIntervalSince(now)))", .normal))
        }
        lines.append(("access token …\(token.accessTokenFingerprint ?? "????")", .normal))
        lines.append(
            (
                token.hasRefreshToken ? "refresh token: yes" : "refresh token: none",
                token.hasRefreshToken ? .normal : .warn
            ))
        if let end = token.refreshTokenExpiresAt {
            let left = end.timeIntervalSince(now)
            lines.append(("refresh token valid for \(countdown(left))", left < 86400 ? .warn : .normal))
        }
        if let last = token.lastRefreshAt {
            lines.append(
                (
                    "last refresh \(countdown(now.timeIntervalSince(last))) ago: \(token.lastRefreshResult ?? "")",
                    .normal
                ))
        }
        lines.append(("refreshes: \(token.refreshCount)", .dim))
        if !token.scopes.isEmpty { lines.append(("scopes: \(token.scopes.joined(separator: " "))", .normal)) }
        lines.append(("issuer: \(token.issuer)", .dim))
        lines.append(("client: \(token.clientID)", .dim))
        return lines
    }

    private static func bottomBars(_ screen: inout Screen, _ state: DashboardState) {
        let statusRow = screen.height - 2
        if state.editingFilter {
            screen.write("/" + state.filter + (screen.unicode ? "▏" : "_"), row: statusRow, column: 1, role: .input)
        } else if let status = state.status {
            screen.write(status.text, row: statusRow, column: 1, role: status.role)
        } else if !state.filter.isEmpty {
            screen.write("filter: \(state.filter)  (Esc clears)", row: statusRow, column: 1, role: .dim)
        }
        let hints: [(String, String)] = [
            ("?", "Help"), ("a", "Login"), ("r", "Refresh"), ("c", "Reconnect"), ("t", "Tools"), ("l", "Log"),
            ("/", "Filter"), ("s", "Sort"), ("T", "Theme"), ("q", "Quit"),
        ]
        let row = screen.height - 1
        screen.fill(row: row, from: 0, to: screen.width, role: .hint)
        var x = 0
        for (key, label) in hints {
            guard x + key.count + label.count + 2 <= screen.width else { break }
            x = screen.write(key, row: row, column: x, role: .hintKey)
            x = screen.write(label + " ", row: row, column: x, role: .hint)
        }
    }

    private static func loginPopup(_ screen: inout Screen, server: String, url: String) {
        let width = min(screen.width - 4, max(60, DisplayWidth.of(url) + 4))
        var lines = ["Log in to \(server) in your browser.", "If no browser opened, copy this URL:", ""]
        var rest = Substring(url)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(width - 4)))
            rest = rest.dropFirst(width - 4)
        }
        lines += ["", "The login finishes by itself. Esc closes this window."]
        Box.draw(&screen, title: "Login", lines: lines.map { ($0, Role.popup) }, width: width)
    }

    private static func logView(_ screen: inout Screen, _ state: DashboardState) {
        let height = screen.height - 4
        let all = state.log.all
        let end = max(0, all.count - state.logScroll)
        let shown = all[max(0, end - (height - 2))..<end]
        let lines = shown.isEmpty ? [("no events yet", Role.dim)] : shown.map { ($0, Role.popup) }
        Box.draw(
            &screen, title: "Events (↑↓ scroll, Esc closes)", lines: lines, width: screen.width - 4, height: height)
    }

    // MARK: Formatting

    static func countdown(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded(.down))
        if total < 3600 { return "\(NumberText.twoDigits(total / 60)):\(NumberText.twoDigits(total % 60))" }
        if total < 86400 { return "\(total / 3600)h\(NumberText.twoDigits(total % 3600 / 60))m" }
        return "\(total / 86400)d\(total % 86400 / 3600)h"
    }

    static func milliseconds(_ seconds: Double) -> String {
        seconds < 10
            ? NumberText.fixed(seconds * 1000, digits: 0) + " ms" : NumberText.fixed(seconds, digits: 1) + " s"
    }

    static func short(_ version: String) -> String {
        // "2026-07-28" → "26-07"; the full value is in the detail pane.
        version.count == 10 ? String(version.dropFirst(2).prefix(5)) : version
    }
}

extension SortKey {
    /// The column index the sort marker goes on.
    var header: Int {
        switch self {
        case .name: return 0
        case .state: return 2
        case .expiry: return 3
        case .errors: return 7
        }
    }
}

extension ConnectionState.Phase {
    var group: Renderer.Group {
        switch self {
        case .connected: return .ok
        case .needsLogin, .failed, .backoff: return .problem
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

/// A framed box centred on the screen.
enum Box {
    static func draw(_ screen: inout Screen, title: String, lines: [(String, Role)], width: Int, height: Int? = nil) {
        let height = min(screen.height - 2, height ?? lines.count + 2)
        let top = max(0, (screen.height - height) / 2)
        let left = max(0, (screen.width - width) / 2)
        let (horizontal, vertical, corner) =
            screen.unicode ? ("─", "│", ["┌", "┐", "└", "┘"]) : ("-", "|", ["+", "+", "+", "+"])
        for row in top..<(top + height) {
            screen.fill(row: row, from: left, to: left + width, role: .popup)
        }
        screen.fill(row: top, from: left, to: left + width, role: .border, character: Character(horizontal))
        screen.fill(
            row: top + height - 1, from: left, to: left + width, role: .border, character: Character(horizontal))
        for row in top..<(top + height) {
            screen.write(vertical, row: row, column: left, role: .border)
            screen.write(vertical, row: row, column: left + width - 1, role: .border)
        }
        screen.write(corner[0], row: top, column: left, role: .border)
        screen.write(corner[1], row: top, column: left + width - 1, role: .border)
        screen.write(corner[2], row: top + height - 1, column: left, role: .border)
        screen.write(corner[3], row: top + height - 1, column: left + width - 1, role: .border)
        screen.write(" \(title) ", row: top, column: left + 2, role: .title, limit: width - 4)
        for (index, (line, role)) in lines.prefix(height - 2).enumerated() {
            screen.write(line, row: top + 1 + index, column: left + 2, role: role, limit: width - 4)
        }
    }
}

enum HelpView {
    static let keys: [(String, String)] = [
        ("↑ ↓  j k", "select a server"), ("PgUp PgDn Home End", "move faster"),
        ("Enter  t", "tool pane: pick a tool, fill the form, run it"),
        ("a", "log in (browser, PKCE); the URL is shown too"), ("r", "refresh the token now"),
        ("c", "reconnect now"), ("l", "event log"), ("/", "filter servers (Esc clears)"),
        ("s", "sort: name, state, expiry, errors"), ("T", "next theme"), ("? F1", "this help"),
        ("q F10", "quit"),
        ("", ""), ("In the tool pane", ""),
        ("Tab", "tools / form / result"), ("Enter", "edit a field, toggle, or run"),
        ("F2", "form ⇄ raw JSON"), ("F5", "run the tool"), ("Esc", "cancel a running call, else close"),
    ]

    static func draw(_ screen: inout Screen) {
        let lines = keys.map { key, text -> (String, Role) in
            text.isEmpty ? (key, .header) : (DisplayWidth.pad(key, to: 20) + text, .popup)
        }
        Box.draw(&screen, title: "mcptop keys — any key closes", lines: lines, width: min(screen.width - 4, 72))
    }
}
