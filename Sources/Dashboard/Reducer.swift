import Foundation
import MCPClient
import Monitor
import Support

/// The only place the dashboard's state changes: state + action → state, plus effects for the
/// monitor. Pure: no I/O, no clock of its own.
public enum Reducer {
    public static func reduce(_ state: inout DashboardState, _ action: Action) -> [Effect] {
        switch action {
        case .tick(let now):
            state.now = now
            if let status = state.status, status.awaiting == nil, now.timeIntervalSince(status.at) > 8 {
                state.status = nil
            }
            return []
        case .resize(let width, let height):
            state.width = width
            state.height = height
            return []
        case .snapshots(let snapshots):
            state.servers = snapshots
            if state.selectedName == nil || state.visible.allSatisfy({ $0.name != state.selectedName }) {
                state.select(row: 0)
            }
            if case .tools(var pane) = state.overlay, pane.tools.isEmpty,
                let tools = snapshots.first(where: { $0.name == pane.server })?.tools, !tools.isEmpty
            {
                pane.tools = tools
                pane.choose(tools[0])
                state.overlay = .tools(pane)
            }
            return []
        case .event(let event):
            StatusOutcome.record(event, in: &state)
            return []
        case .callStarted(let server, let id):
            if case .call(server, let tool, nil)? = state.status?.awaiting {
                state.status?.awaiting = .call(server: server, tool: tool, id: id)
            }
            if case .tools(var pane) = state.overlay, pane.server == server, pane.callID == nil {
                pane.callID = id
                pane.focus = .result
                pane.resultScroll = 0
                state.overlay = .tools(pane)
            }
            return []
        case .key(let key):
            return handle(key, in: &state)
        case .otherClients(let others):
            state.otherClients = others
            if case .otherTokens(let selected)? = state.overlay {
                state.overlay = .otherTokens(selected: min(selected, max(0, others.board.tokens.count - 1)))
            }
            return []
        case .importPreview(let preview):
            ImportConfirmation.open(preview, in: &state)
            return []
        case .imported(let summary, let role):
            say(summary, role, in: &state)
            return []
        }
    }

    static func say(
        _ text: String, _ role: Role = .normal, awaiting: StatusLine.Awaiting? = nil, in state: inout DashboardState
    ) {
        state.status = StatusLine(text: text, role: role, at: state.now, awaiting: awaiting)
    }

    /// The scope whose bindings apply now: the overlay on top, else the main view.
    static func scope(of state: DashboardState) -> KeyBinding.Scope? {
        switch state.overlay {
        case nil: return .main
        case .help?: return .help
        case .log?: return .log
        case .loginURL?, .deviceCode?: return .login
        case .describe?: return .describe
        case .otherTokens?: return .others
        case .confirmImport?: return .confirmImport
        case .tools?: return nil
        }
    }

    /// Commands of the current scope that cannot work now: kept out of the footer.
    static func unavailable(in state: DashboardState) -> [KeyBinding.Command] {
        switch state.overlay {
        case .loginURL(_, _, false)?, .deviceCode?: return [.deviceLogin]
        case nil where state.visible.isEmpty:
            // No server selected: the keys that act on one do nothing, nor do a filter or a
            // sort without servers.
            let perServer: [KeyBinding.Command] = [.tools, .describe, .login, .refresh, .reconnect]
            return state.servers.isEmpty ? perServer + [.filter, .sort] : perServer
        default: return []
        }
    }

    private static func handle(_ key: Key, in state: inout DashboardState) -> [Effect] {
        if state.editingFilter { return editFilter(key, in: &state) }
        if case .tools(var pane)? = state.overlay {
            let effects = ToolPaneReducer.handle(key, pane: &pane, state: &state)
            if case .tools? = state.overlay { state.overlay = .tools(pane) }
            return effects
        }
        if case .click(let row, _) = key, state.overlay == nil {
            // Rows of the server table start below the title and the header.
            let index = row - Layout.tableTop
            if index >= 0, index < state.visible.count { state.select(row: index) }
            return []
        }
        guard let scope = scope(of: state) else { return [] }
        guard let command = KeyBinding.command(for: key, in: scope) else { return [] }
        switch scope {
        case .main: return main(command, in: &state)
        case .describe: return describe(command, in: &state)
        case .log: return log(command, in: &state)
        case .login: return loginPopup(command, in: &state)
        case .others: return others(command, in: &state)
        case .confirmImport: return ImportConfirmation.handle(command, in: &state)
        case .help:
            if command == .close {
                state.overlay = nil
            } else {
                state.helpScroll = scrolled(
                    state.helpScroll, by: command, page: HelpView.page(height: state.height),
                    last: HelpView.lastScroll(width: state.width, height: state.height))
            }
            return []
        }
    }

    /// A scroll position moved by `command` (a row, a page, to either end), kept in `0...last`.
    static func scrolled(_ scroll: Int, by command: KeyBinding.Command, page: Int, last: Int) -> Int {
        let moved: Int
        switch command {
        case .up: moved = scroll - 1
        case .down: moved = scroll + 1
        case .pageUp: moved = scroll - page
        case .pageDown: moved = scroll + page
        case .top: moved = 0
        case .bottom: moved = last
        default: moved = scroll
        }
        return min(max(0, moved), max(0, last))
    }

    private static func editFilter(_ key: Key, in state: inout DashboardState) -> [Effect] {
        switch key {
        case .enter: state.editingFilter = false
        case .escape:
            state.editingFilter = false
            state.filter = ""
        case .backspace: if !state.filter.isEmpty { state.filter.removeLast() }
        case .character(let character) where !character.isControlCharacter: state.filter.append(character)
        default: break
        }
        state.select(row: 0)
        return []
    }

    private static func main(_ command: KeyBinding.Command, in state: inout DashboardState) -> [Effect] {
        let selected = state.selectedServer
        switch command {
        case .quit: return [.quit]
        case .help:
            state.overlay = .help
            state.helpScroll = 0
        case .close, .cancelLogin, .copy, .deviceLogin, .confirm: break
        case .up: state.select(row: state.selected - 1)
        case .down: state.select(row: state.selected + 1)
        case .pageUp: state.select(row: state.selected - 10)
        case .pageDown: state.select(row: state.selected + 10)
        case .top: state.select(row: 0)
        case .bottom: state.select(row: state.visible.count - 1)
        case .filter:
            state.editingFilter = true
            state.filter = ""
        case .clear:
            state.filter = ""
            state.status = nil
        case .sort:
            state.sort = state.sort.next
            say("sorted by \(state.sort.rawValue)", in: &state)
        case .nextTheme: return [.nextTheme]
        case .otherTokens:
            state.overlay = .otherTokens(selected: 0)
        case .importServers:
            say("reading other clients' configs…", in: &state)
            return [.previewImport(.everything)]
        case .eventLog:
            state.overlay = .log
            state.logScroll = 0
        case .describe:
            guard let selected else { return [] }
            state.overlay = .describe(server: selected.name, scroll: 0)
        case .tools:
            guard let selected else { return [] }
            state.overlay = .tools(ToolPaneState(server: selected.name, tools: selected.tools))
            if selected.tools.isEmpty { say("\(selected.name) has no tools listed yet", .warn, in: &state) }
        case .login:
            guard let selected else { return [] }
            return login(selected, in: &state)
        case .refresh:
            guard let selected else { return [] }
            if let problem = selected.configProblem {
                say("\(selected.name): fix the config first: \(problem)", .error, in: &state)
                return []
            }
            guard selected.token != nil else {
                say("\(selected.name): no login to refresh", .warn, in: &state)
                return []
            }
            say("\(selected.name): refreshing…", awaiting: .refresh(server: selected.name), in: &state)
            return [.command(server: selected.name, .refreshNow)]
        case .reconnect:
            guard let selected else { return [] }
            if let problem = selected.configProblem {
                say("\(selected.name): fix the config first: \(problem)", .error, in: &state)
                return []
            }
            say("\(selected.name): reconnecting…", awaiting: .reconnect(server: selected.name), in: &state)
            return [.command(server: selected.name, .reconnect)]
        }
        return []
    }

    /// `a`: a login beside the connection, or, while one is pending, giving it up.
    private static func login(_ server: ServerSnapshot, in state: inout DashboardState) -> [Effect] {
        let name = server.name
        if let problem = server.configProblem {
            say("\(name): fix the config first: \(problem)", .error, in: &state)
            return []
        }
        guard server.usesOAuth else {
            say(
                "\(name) needs no login: \(server.transport == "stdio" ? "a stdio server" : "it sends its own Authorization header")",
                .warn, in: &state)
            return []
        }
        if server.pendingLogin != nil {
            say("\(name): cancelling the login…", awaiting: .login(server: name), in: &state)
            return [.command(server: name, .cancelLogin)]
        }
        if let stepUp = server.stepUpScopes, !stepUp.isEmpty {
            let granted = server.token?.scopes ?? []
            let all = granted + stepUp.filter { !granted.contains($0) }
            say(
                "\(name): logging in again for the scopes \(all.joined(separator: " ")) (the server asked for \(stepUp.joined(separator: " ")))…",
                awaiting: .login(server: name), in: &state)
        } else {
            say("\(name): starting the login…", awaiting: .login(server: name), in: &state)
        }
        return [.command(server: name, .login(openBrowser: true, extraScopes: []))]
    }

    private static func describe(_ command: KeyBinding.Command, in state: inout DashboardState) -> [Effect] {
        guard case .describe(let name, var scroll)? = state.overlay else { return [] }
        let page = max(1, state.height - 6)
        switch command {
        case .close:
            state.overlay = nil
            return []
        case .up: scroll -= 1
        case .down: scroll += 1
        case .pageUp: scroll -= page
        case .pageDown: scroll += page
        case .copy:
            guard let server = state.server(named: name) else { return [] }
            let (what, text) =
                server.pendingLogin?.url.map { ("the login URL", $0) }
                ?? server.pendingLogin?.device.map {
                    ("the device login's address", $0.verificationURIComplete ?? $0.verificationURI)
                }
                ?? ("the reason", server.state.reason)
            say("\(name): copied \(what)", .ok, in: &state)
            return [.copy(text)]
        case .login:
            guard let server = state.server(named: name) else { return [] }
            return login(server, in: &state)
        default: break
        }
        state.overlay = .describe(server: name, scroll: max(0, scroll))
        return []
    }

    private static func log(_ command: KeyBinding.Command, in state: inout DashboardState) -> [Effect] {
        switch command {
        case .close: state.overlay = nil
        case .up: state.logScroll = min(state.logScroll + 1, max(0, state.log.all.count - 1))
        case .down: state.logScroll = max(0, state.logScroll - 1)
        case .pageUp: state.logScroll = min(state.logScroll + 10, max(0, state.log.all.count - 1))
        case .pageDown: state.logScroll = max(0, state.logScroll - 10)
        default: break
        }
        return []
    }

    /// The other clients' token board: select a row, `i` imports its server.
    private static func others(_ command: KeyBinding.Command, in state: inout DashboardState) -> [Effect] {
        guard case .otherTokens(let selected)? = state.overlay else { return [] }
        let tokens = state.otherClients.board.tokens
        switch command {
        case .close: state.overlay = nil
        case .up: state.overlay = .otherTokens(selected: max(0, selected - 1))
        case .down: state.overlay = .otherTokens(selected: min(max(0, tokens.count - 1), selected + 1))
        case .importServers:
            guard tokens.indices.contains(selected) else { return [] }
            let token = tokens[selected]
            say("reading what importing \(token.server) from \(token.holder.displayName) would add…", in: &state)
            return [.previewImport(.server(token))]
        default: break
        }
        return []
    }

    private static func loginPopup(_ command: KeyBinding.Command, in state: inout DashboardState) -> [Effect] {
        let server: String
        let url: String
        switch state.overlay {
        case .loginURL(let name, let address, _)?: (server, url) = (name, address)
        case .deviceCode(let name, _, let address, let complete)?: (server, url) = (name, complete ?? address)
        default: return []
        }
        switch command {
        case .deviceLogin:
            if case .deviceCode? = state.overlay {
                say("\(server): this is a device login already", .warn, awaiting: .login(server: server), in: &state)
                return []
            }
            guard !unavailable(in: state).contains(.deviceLogin) else {
                say(
                    "\(server): its authorization server offers no device login (no device_authorization_endpoint); "
                        + "the browser login goes on", .warn, awaiting: .login(server: server), in: &state)
                return []
            }
            state.overlay = nil
            say("\(server): asking for a device code…", awaiting: .login(server: server), in: &state)
            return [.command(server: server, .deviceLogin)]
        case .close:
            state.overlay = nil
            say(
                "\(server): the login goes on in the browser (a cancels it)", awaiting: .login(server: server),
                in: &state)
        case .cancelLogin:
            state.overlay = nil
            say("\(server): cancelling the login…", awaiting: .login(server: server), in: &state)
            return [.command(server: server, .cancelLogin)]
        case .copy:
            say("\(server): copied the login URL", .ok, awaiting: .login(server: server), in: &state)
            return [.copy(url)]
        default: break
        }
        return []
    }
}

/// Where things are on the screen, shared by the renderer and mouse handling.
enum Layout {
    static let tableTop = 2
    static let minimumWidth = 60
    static let minimumHeight = 12
}
