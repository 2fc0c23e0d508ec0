import Foundation
import MCPClient
import Monitor
import Support

/// `d`: everything about one server, nothing cut: the state and its full reason, where it is,
/// the login and its timeline, the history and the recent calls, wrapped to the screen and
/// scrollable.
enum DescribeView {
    static func draw(_ screen: inout Screen, _ state: DashboardState, server name: String, scroll: Int) {
        let top = 1
        let bottom = screen.height - 2
        for row in top..<bottom { screen.fill(row: row, from: 0, to: screen.width, role: .popup) }
        screen.fill(row: top, from: 0, to: screen.width, role: .border, character: screen.unicode ? "─" : "-")
        guard let server = state.server(named: name) else {
            screen.write(" \(name) is no longer configured ", row: top, column: 1, role: .title)
            return
        }
        let lines = self.lines(server, state: state, width: screen.width - 2)
        let height = bottom - top - 1
        let first = min(scroll, max(0, lines.count - height))
        let last = min(lines.count, first + height)
        let position = lines.count > height ? "  lines \(first + 1)–\(last) of \(lines.count)" : ""
        screen.write(
            " \(server.name) — describe\(position) ", row: top, column: 1, role: .title, limit: screen.width - 2)
        var row = top + 1
        for (text, role) in lines[first..<last] {
            screen.write(text, row: row, column: 1, role: role, limit: screen.width - 2)
            row += 1
        }
    }

    /// The view's lines, wrapped to `width`: a label column, then the value; sections with a
    /// heading.
    static func lines(_ server: ServerSnapshot, state: DashboardState, width: Int) -> [(String, Role)] {
        let labelWidth = 11
        var lines: [(String, Role)] = []
        func field(_ label: String, _ value: String, _ role: Role = .popup) {
            let rows = DisplayWidth.wrap(value, to: max(10, width - labelWidth))
            for (index, text) in rows.enumerated() {
                let prefix =
                    index == 0 ? DisplayWidth.pad(label, to: labelWidth) : String(repeating: " ", count: labelWidth)
                lines.append((prefix + text, role))
            }
        }
        func heading(_ title: String) {
            lines.append(("", .popup))
            lines.append((title, .header))
        }
        func item(_ text: String, _ role: Role) {
            // Wrapped to the continuation rows' room (indented four), so no row runs off the edge.
            for (index, row) in DisplayWidth.wrap(text, to: max(10, width - 4)).enumerated() {
                lines.append(((index == 0 ? "  " : "    ") + row, role))
            }
        }
        let clock = { (date: Date) in TimeText.clock(date, utcOffset: state.utcOffset) }
        let current = server.state
        var phase =
            "\(Renderer.symbol(current.phase.group, true)) \(current.phase.rawValue) since \(clock(current.since))"
        phase += " (\(TimeText.countdown(state.now.timeIntervalSince(current.since))) ago)"
        if let retryAt = current.retryAt {
            phase += ", next try in \(TimeText.countdown(retryAt.timeIntervalSince(state.now)))"
        }
        field("State", phase, current.phase.role)
        field("Reason", current.reason, current.phase.role)
        field("Target", server.target)
        var transport = server.transport
        if let info = server.serverInfo {
            transport += ", protocol \(info.protocolVersion)"
            if let name = info.name { transport += ", server \(name)\(info.version.map { " \($0)" } ?? "")" }
            if let session = info.sessionID { transport += ", session …\(session.suffix(6))" }
        }
        field("Transport", transport)
        field("Tools", server.tools.isEmpty ? "none listed" : server.tools.map(\.name).joined(separator: ", "))
        if !server.attachedClients.isEmpty { field("Clients", server.attachedClients.joined(separator: ", ")) }
        if let pending = server.pendingLogin {
            heading("Login pending (a cancels it, y copies the URL)")
            field("Since", clock(pending.startedAt))
            if !pending.scopes.isEmpty { field("Scopes", pending.scopes.joined(separator: " ")) }
            // The URL alone on its rows, so a terminal selection takes it whole.
            if let url = pending.url {
                lines.append(("Open this URL in a browser:", .popup))
                for row in DisplayWidth.wrap(url, to: max(10, width)) { lines.append((row, .accent)) }
            }
            if let device = pending.device {
                lines.append(("On any device, open this address and enter the code \(device.userCode):", .popup))
                for row in DisplayWidth.wrap(device.verificationURI, to: max(10, width)) {
                    lines.append((row, .accent))
                }
            }
        }
        heading("Token")
        for (text, role) in DetailPane.tokenFacts(server, now: state.now, offset: state.utcOffset) { item(text, role) }
        if let verdict = server.token?.loginVerdict { item("login: \(verdict)", .dim) }
        if !server.authSteps.isEmpty {
            heading("Auth timeline")
            for step in server.authSteps.reversed() { item("\(clock(step.time)) \(step)", .popup) }
        }
        heading("State history")
        for (text, role) in DetailPane.historyLines(server, now: state.now, offset: state.utcOffset) {
            item(text, role)
        }
        heading("Recent calls")
        if server.calls.isEmpty { item("none yet (t opens the tool pane)", .dim) }
        for call in server.calls.reversed() {
            item(DetailPane.callLine(call, offset: state.utcOffset), call.outcome.role)
            if let detail = call.detail, call.outcome != .ok { item("  " + detail, call.outcome.role) }
        }
        return lines
    }
}
