/// One key binding: which keys, where they work, what the footer and the help say, and the
/// command they give. `KeyBinding.all` is the one list the reducer, the footer, the help overlay
/// and the README's key table are made from (a test checks the README).
public struct KeyBinding: Sendable {
    /// Where a binding works: the main view or the overlay on top.
    public enum Scope: String, Sendable, CaseIterable {
        case main, describe, log, login, others, confirmImport, help

        /// The heading in the help overlay and the README.
        public var title: String {
            switch self {
            case .main: return "Server list"
            case .describe: return "Describe view"
            case .log: return "Event log"
            case .login: return "Login popup"
            case .others: return "Other clients' tokens"
            case .confirmImport: return "Import confirmation"
            case .help: return "Help"
            }
        }
    }

    /// What a key asks for. The reducer gives each its meaning.
    public enum Command: Sendable, Equatable {
        case quit, help, close
        case up, down, pageUp, pageDown, top, bottom
        case filter, sort, nextTheme, eventLog, describe, tools
        case login, refresh, reconnect
        /// Copy the reason (or the login URL) to the clipboard.
        case copy
        /// In the login popup: give the login up.
        case cancelLogin
        /// In the login popup: a code to enter on another device instead (RFC 8628).
        case deviceLogin
        /// Clear the filter and the status line.
        case clear
        /// The other clients' token board; importing their servers (all, or the selected row's).
        case otherTokens, importServers
        /// In the import confirmation: go ahead.
        case confirm
    }

    public var keys: [Key]
    /// The keys as the help shows them ("↑ ↓ j k").
    public var label: String
    public var scope: Scope
    /// A word for the footer; nil keeps the binding out of it.
    public var hint: String?
    /// What it does, for the help overlay and the README.
    public var description: String
    public var command: Command

    init(_ keys: [Key], _ label: String, _ scope: Scope, hint: String? = nil, _ description: String, _ command: Command)
    {
        self.keys = keys
        self.label = label
        self.scope = scope
        self.hint = hint
        self.description = description
        self.command = command
    }
}

extension KeyBinding {
    private static func keys(_ characters: String) -> [Key] { characters.map { .character($0) } }

    public static let all: [KeyBinding] = [
        // The server list.
        KeyBinding([.up, .character("k")], "↑ k", .main, "select the server above", .up),
        KeyBinding([.down, .character("j")], "↓ j", .main, "select the server below", .down),
        KeyBinding([.pageUp], "PgUp", .main, "ten servers up", .pageUp),
        KeyBinding([.pageDown], "PgDn", .main, "ten servers down", .pageDown),
        KeyBinding([.home, .character("g")], "Home g", .main, "the first server", .top),
        KeyBinding([.end, .character("G")], "End G", .main, "the last server", .bottom),
        KeyBinding(
            [.character("t"), .enter], "t Enter", .main, hint: "Tools",
            "tool pane: pick a tool, fill its form (or raw JSON with F2), F5 runs it", .tools),
        KeyBinding(
            [.character("d")], "d", .main, hint: "Describe",
            "describe the server: state, full reason, URL, token, auth timeline, calls", .describe),
        KeyBinding(
            [.character("a")], "a", .main, hint: "Login",
            "log in (browser, PKCE) beside the connection; again cancels a pending login", .login),
        KeyBinding(
            [.character("r")], "r", .main, hint: "Refresh",
            "refresh the token now (the status line says what the server did)", .refresh),
        KeyBinding([.character("c")], "c", .main, hint: "Reconnect", "reconnect now", .reconnect),
        KeyBinding([.character("l")], "l", .main, hint: "Log", "the event log", .eventLog),
        KeyBinding([.character("/")], "/", .main, hint: "Filter", "filter servers by name, URL or state", .filter),
        KeyBinding([.character("s")], "s", .main, hint: "Sort", "sort by name, state, expiry, errors", .sort),
        KeyBinding([.character("T")], "T", .main, "next theme", .nextTheme),
        KeyBinding(
            [.character("o")], "o", .main,
            "the tokens other clients (Gemini CLI, Claude Code, mcp-remote, Inspector) hold, read-only", .otherTokens),
        KeyBinding(
            [.character("i")], "i", .main,
            "import the servers of other clients' configs (mcptop import): lists them first, y imports", .importServers),
        KeyBinding([.escape], "Esc", .main, "clear the filter and the status line", .clear),
        KeyBinding([.character("?"), .function(1)], "? F1", .main, hint: "Help", "this help", .help),
        KeyBinding([.character("q"), .function(10)], "q F10", .main, hint: "Quit", "quit", .quit),
        // The describe view.
        KeyBinding([.up, .character("k")], "↑ k", .describe, hint: "Scroll", "scroll up", .up),
        KeyBinding([.down, .character("j")], "↓ j", .describe, "scroll down", .down),
        KeyBinding([.pageUp], "PgUp", .describe, "a page up", .pageUp),
        KeyBinding([.pageDown], "PgDn", .describe, "a page down", .pageDown),
        KeyBinding(
            [.character("y")], "y", .describe, hint: "Copy",
            "copy the login URL when a login is pending, else the reason",
            .copy),
        KeyBinding([.character("a")], "a", .describe, hint: "Login", "log in (again cancels)", .login),
        KeyBinding([.escape, .character("q"), .character("d")], "Esc q d", .describe, hint: "Close", "close", .close),
        // The event log.
        KeyBinding([.up, .character("k")], "↑ k", .log, hint: "Scroll", "older events", .up),
        KeyBinding([.down, .character("j")], "↓ j", .log, "newer events", .down),
        KeyBinding([.pageUp], "PgUp", .log, "ten older", .pageUp),
        KeyBinding([.pageDown], "PgDn", .log, "ten newer", .pageDown),
        KeyBinding([.escape, .character("q"), .character("l")], "Esc q l", .log, hint: "Close", "close", .close),
        // The login popup.
        KeyBinding(
            [.character("y")], "y", .login, hint: "Copy URL", "copy the login URL (or the device login's address)",
            .copy),
        KeyBinding(
            [.character("v")], "v", .login, hint: "Device code",
            "log in with a code entered on another device instead (offered where the server has a device endpoint)",
            .deviceLogin),
        KeyBinding(
            [.enter, .character("q")], "Enter q", .login, hint: "Hide", "hide the popup; the login goes on", .close),
        KeyBinding([.escape], "Esc", .login, hint: "Cancel login", "give the login up", .cancelLogin),
        // The other clients' tokens.
        KeyBinding([.up, .character("k")], "↑ k", .others, hint: "Select", "the row above", .up),
        KeyBinding([.down, .character("j")], "↓ j", .others, "the row below", .down),
        KeyBinding(
            [.character("i")], "i", .others, hint: "Import",
            "import the selected row's server into mcptop's config: shows it first, y imports", .importServers),
        KeyBinding([.escape, .character("q"), .character("o")], "Esc q o", .others, hint: "Close", "close", .close),
        // What `i` would import, before anything is written.
        KeyBinding(
            [.character("y"), .enter], "y Enter", .confirmImport, hint: "Import",
            "import the servers listed; mcptop watches them at once (a stdio server's command starts)", .confirm),
        KeyBinding(
            [.escape, .character("n")], "Esc n", .confirmImport, hint: "Cancel", "cancel: nothing is written", .close),
        KeyBinding([.up, .character("k")], "↑ k", .confirmImport, hint: "Scroll", "scroll up", .up),
        KeyBinding([.down, .character("j")], "↓ j", .confirmImport, "scroll down", .down),
        KeyBinding([.pageUp], "PgUp", .confirmImport, "a page up", .pageUp),
        KeyBinding([.pageDown, .character(" ")], "PgDn Space", .confirmImport, "a page down", .pageDown),
        // The help.
        KeyBinding([.up, .character("k")], "↑ k", .help, hint: "Scroll", "scroll up", .up),
        KeyBinding([.down, .character("j")], "↓ j", .help, "scroll down", .down),
        KeyBinding([.pageUp], "PgUp", .help, hint: "Page", "a page up", .pageUp),
        KeyBinding([.pageDown, .character(" ")], "PgDn Space", .help, "a page down", .pageDown),
        KeyBinding([.home, .character("g")], "Home g", .help, hint: "Top", "the top", .top),
        KeyBinding([.end, .character("G")], "End G", .help, hint: "End", "the end", .bottom),
        KeyBinding(
            [.escape, .character("q"), .character("?")], "Esc q ?", .help, hint: "Close",
            "close (other keys do nothing)",
            .close),
    ]

    /// The command `key` gives in `scope`, if any.
    public static func command(for key: Key, in scope: Scope) -> Command? {
        all.first { $0.scope == scope && $0.keys.contains(key) }?.command
    }

    /// The footer of `scope`: key labels as typed (the first key) and their hint words, but for
    /// the commands `unavailable` now.
    public static func hints(for scope: Scope, unavailable: [Command] = []) -> [(key: String, label: String)] {
        all.compactMap { binding in
            guard binding.scope == scope, !unavailable.contains(binding.command) else { return nil }
            return binding.hint.map { (binding.label.split(separator: " ")[0].description, $0) }
        }
    }

    /// The README's key table: one Markdown table per scope, as the help overlay lists them.
    public static func markdownTables() -> String {
        Scope.allCases.map { scope in
            var lines = ["**\(scope.title)**", "", "| key | action |", "| --- | --- |"]
            for binding in all where binding.scope == scope {
                let keys = binding.label.split(separator: " ").map { "`\($0)`" }.joined(separator: " ")
                lines.append("| \(keys) | \(binding.description) |")
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }
}
