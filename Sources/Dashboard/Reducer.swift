import Foundation
import MCPClient
import Monitor

/// The only place the dashboard's state changes: state + action → state, plus effects for the
/// monitor. Pure: no I/O, no clock of its own.
public enum Reducer {
    public static func reduce(_ state: inout DashboardState, _ action: Action) -> [Effect] {
        switch action {
        case .tick(let now):
            state.now = now
            if let status = state.status, now.timeIntervalSince(status.at) > 8 { state.status = nil }
            return []
        case .resize(let width, let height):
            state.width = width
            state.height = height
            return []
        case .snapshots(let snapshots):
            let selectedName = state.selectedServer?.name
            state.servers = snapshots
            if let selectedName, let index = state.visible.firstIndex(where: { $0.name == selectedName }) {
                state.selected = index
            }
            clampSelection(&state)
            if case .tools(var pane) = state.overlay, pane.tools.isEmpty,
                let tools = snapshots.first(where: { $0.name == pane.server })?.tools, !tools.isEmpty
            {
                pane.tools = tools
                pane.choose(tools[0])
                state.overlay = .tools(pane)
            }
            return []
        case .event(let event):
            record(event, in: &state)
            return []
        case .callStarted(let server, let id):
            if case .tools(var pane) = state.overlay, pane.server == server, pane.callID == nil {
                pane.callID = id
                pane.focus = .result
                pane.resultScroll = 0
                state.overlay = .tools(pane)
            }
            return []
        case .key(let key):
            return handle(key, in: &state)
        }
    }

    private static func clampSelection(_ state: inout DashboardState) {
        let count = state.visible.count
        state.selected = count == 0 ? 0 : min(max(0, state.selected), count - 1)
    }

    static func say(_ text: String, _ role: Role = .normal, in state: inout DashboardState) {
        state.status = (text, role, state.now)
    }

    /// Events become log lines; a few also become the status message or a popup.
    private static func record(_ event: MonitorEvent, in state: inout DashboardState) {
        let line: String?
        switch event.kind {
        case .stateChanged(let connection):
            line = "\(connection.phase.rawValue): \(connection.reason)"
            if connection.phase == .needsLogin {
                say("\(event.server) needs a login — select it and press a", .warn, in: &state)
            }
        case .refreshed(.success(let report)):
            line = "refresh: \(report)"
            say("\(event.server): token refreshed (\(report))", .ok, in: &state)
        case .refreshed(.failure(let error)):
            line = "refresh failed: \(error)"
            say("\(error)", .error, in: &state)
        case .tokenChanged(let summary):
            line = summary.map { "token …\($0.accessTokenFingerprint ?? "")" } ?? "login forgotten"
        case .callStarted(let call): line = "call #\(call.id) \(call.tool) \(call.argumentsDigest)"
        case .callProgress: line = nil
        case .callFinished(let call):
            line = "call #\(call.id) \(call.tool) \(call.outcome.rawValue) \(call.detail ?? "")"
        case .authStep(let step): line = "auth: \(step)"
        case .toolsListed(let count): line = "\(count) tools"
        case .log(let text):
            line = text
            if text.hasPrefix("open to log in: ") {
                state.overlay = .loginURL(server: event.server, url: String(text.dropFirst("open to log in: ".count)))
            }
        }
        if let line {
            let time = Self.clock(event.time, offset: state.utcOffset)
            state.log.append("\(time) \(event.server): \(line)")
        }
    }

    static func clock(_ date: Date, offset: Int) -> String {
        let seconds = Int(date.timeIntervalSince1970) % 86400
        let local = seconds + offset
        let day = ((local % 86400) + 86400) % 86400
        let (hour, minute, second) = (day / 3600, day % 3600 / 60, day % 60)
        return "\(NumberText.twoDigits(hour)):\(NumberText.twoDigits(minute)):\(NumberText.twoDigits(second))"
    }

    private static func handle(_ key: Key, in state: inout DashboardState) -> [Effect] {
        if state.editingFilter { return editFilter(key, in: &state) }
        switch state.overlay {
        case .help?:
            state.overlay = nil
            return key == .character("q") ? [.quit] : []
        case .loginURL?:
            if key == .escape || key == .enter || key == .character("q") { state.overlay = nil }
            return []
        case .log?:
            switch key {
            case .escape, .character("l"), .character("q"): state.overlay = nil
            case .up, .character("k"): state.logScroll += 1
            case .down, .character("j"): state.logScroll = max(0, state.logScroll - 1)
            case .pageUp: state.logScroll += 10
            case .pageDown: state.logScroll = max(0, state.logScroll - 10)
            default: break
            }
            return []
        case .tools(var pane)?:
            let effects = ToolPaneReducer.handle(key, pane: &pane, state: &state)
            if case .tools? = state.overlay { state.overlay = .tools(pane) }
            return effects
        case nil:
            return handleMain(key, in: &state)
        }
    }

    private static func editFilter(_ key: Key, in state: inout DashboardState) -> [Effect] {
        switch key {
        case .enter: state.editingFilter = false
        case .escape:
            state.editingFilter = false
            state.filter = ""
        case .backspace: if !state.filter.isEmpty { state.filter.removeLast() }
        case .character(let character): state.filter.append(character)
        default: break
        }
        state.selected = 0
        return []
    }

    private static func handleMain(_ key: Key, in state: inout DashboardState) -> [Effect] {
        let server = state.selectedServer?.name
        switch key {
        case .character("q"), .function(10): return [.quit]
        case .character("?"), .function(1): state.overlay = .help
        case .up, .character("k"): state.selected -= 1
        case .down, .character("j"): state.selected += 1
        case .pageUp: state.selected -= 10
        case .pageDown: state.selected += 10
        case .home, .character("g"): state.selected = 0
        case .end, .character("G"): state.selected = state.visible.count - 1
        case .character("/"):
            state.editingFilter = true
            state.filter = ""
        case .escape:
            state.filter = ""
            state.status = nil
        case .character("s"):
            state.sort = state.sort.next
            say("sorted by \(state.sort.rawValue)", in: &state)
        case .character("T"): return [.nextTheme]
        case .character("l"):
            state.overlay = .log
            state.logScroll = 0
        case .character("a"):
            guard let server else { return [] }
            say("\(server): starting the browser login…", in: &state)
            return [.command(server: server, .login(openBrowser: true, extraScopes: []))]
        case .character("r"):
            guard let server else { return [] }
            say("\(server): refreshing…", in: &state)
            return [.command(server: server, .refreshNow)]
        case .character("c"):
            guard let server else { return [] }
            say("\(server): reconnecting…", in: &state)
            return [.command(server: server, .reconnect)]
        case .character("t"), .enter:
            guard let selected = state.selectedServer else { return [] }
            state.overlay = .tools(ToolPaneState(server: selected.name, tools: selected.tools))
            if selected.tools.isEmpty { say("\(selected.name) has no tools listed yet", .warn, in: &state) }
        case .click(let row, _):
            // Rows of the server table start below the title and the header.
            let index = row - Layout.tableTop
            if index >= 0, index < state.visible.count { state.selected = index }
        default: break
        }
        clampSelection(&state)
        return []
    }
}

/// Where things are on the screen, shared by the renderer and mouse handling.
enum Layout {
    static let tableTop = 2
    static let minimumWidth = 60
    static let minimumHeight = 12
}
