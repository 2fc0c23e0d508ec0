import Config
import Foundation
import MCPClient
import Monitor
import Support

/// A key or mouse press, already decoded by the terminal backend.
public enum Key: Sendable, Equatable {
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
    case character(Character)
    /// A click at a screen position (row, column).
    case click(row: Int, column: Int)
}

/// Everything that can change the dashboard.
public enum Action: Sendable {
    case key(Key)
    case event(MonitorEvent)
    case snapshots([ServerSnapshot])
    case tick(Date)
    case resize(width: Int, height: Int)
    /// A call the tool pane asked for has started with this id.
    case callStarted(server: String, id: Int)
    /// The other clients' tokens and configs, read again.
    case otherClients(OtherClients)
    /// What the import asked for with `i` would do, for the confirmation popup.
    case importPreview(ImportPreview)
    /// An import confirmed with `y` is done: what it did, for the status line.
    case imported(summary: String, role: Role)
}

/// What the dashboard asks the outside world to do, as values.
public enum Effect: Sendable, Equatable {
    case command(server: String, SupervisorCommand)
    case callTool(server: String, tool: String, arguments: JSONValue)
    case cancelCall(server: String, id: Int)
    case nextTheme
    /// Put text on the clipboard (OSC 52; also printed on exit where a terminal ignores it).
    case copy(String)
    /// Work out what `i` would import, without writing anything (answered by `.importPreview`).
    case previewImport(ImportRequest)
    /// Import servers from other clients' configs into mcptop's (`y` in the confirmation).
    case importServers(ImportRequest)
    case quit
}

public enum SortKey: String, Sendable, CaseIterable {
    case name, state, expiry, errors

    var next: SortKey {
        let all = SortKey.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// The tool pane of one server: pick a tool, fill its form (or raw JSON), run, see the result.
public struct ToolPaneState: Sendable, Equatable {
    public enum Focus: Sendable, Equatable { case tools, form, result }

    public var server: String
    public var tools: [Tool]
    public var selectedTool = 0
    public var focus: Focus = .tools
    public var form: ToolForm?
    public var selectedField = 0
    /// Whether keys go to a text editor: the selected field's, or the raw JSON's.
    public var editing = false
    /// The selected field's text and cursor while it is edited (its text is copied into the
    /// form on every key).
    public var fieldEditor = TextEditor()
    public var rawMode = false
    /// The raw JSON arguments, with the cursor and the view.
    public var rawEditor = TextEditor(multiline: true, cursor: 0)
    /// The raw text when F2 last turned to it: F2 back with it unchanged leaves the form as it was.
    public var rawTextOnEntry = ""
    /// Problems by field key; "" for the raw editor.
    public var errors: [String: String] = [:]
    /// Whether the raw editor's error came from F2 (keys the form cannot take) rather than
    /// from the JSON syntax, so that editing re-checks the same thing.
    public var rawErrorIsFromSwitch = false
    /// The call started from this pane, while it runs or once it is done.
    public var callID: Int?
    /// The first result row shown (rows are the result's lines wrapped to the pane).
    public var resultScroll = 0

    /// The raw JSON text; setting it puts the cursor at its start.
    public var rawText: String {
        get { rawEditor.text }
        set { rawEditor = TextEditor(newValue, multiline: true, cursor: 0) }
    }

    public init(server: String, tools: [Tool]) {
        self.server = server
        self.tools = tools
        if let first = tools.first { choose(first) }
    }

    public mutating func choose(_ tool: Tool) {
        form = ToolForm(schema: tool.inputSchema)
        rawText = ToolForm.rawEditorText(schema: tool.inputSchema)
        rawTextOnEntry = rawText
        selectedField = 0
        editing = false
        errors = [:]
        rawErrorIsFromSwitch = false
        callID = nil
        resultScroll = 0
    }
}

public enum Overlay: Sendable, Equatable {
    case help
    /// A browser login; `offersDeviceLogin`: `v` can switch it to a device login (RFC 8628).
    case loginURL(server: String, url: String, offersDeviceLogin: Bool = false)
    /// A device login: the code to enter, where, and the address with the code in it (drawn
    /// as a QR code too) when the server gives one.
    case deviceCode(server: String, userCode: String, verificationURI: String, complete: String?)
    case tools(ToolPaneState)
    case log
    /// Everything about one server, wrapped and scrollable.
    case describe(server: String, scroll: Int)
    /// The tokens other clients hold (read-only), with the selected row.
    case otherTokens(selected: Int)
    /// What `i` would import, waiting for `y` (or Esc), scrolled by `scroll` rows.
    case confirmImport(ImportPreview, scroll: Int)
}

/// The message on the status line. One that says something is under way (`awaiting`) stays
/// until the outcome replaces it.
public struct StatusLine: Sendable, Equatable {
    public var text: String
    public var role: Role
    public var at: Date
    public var awaiting: Awaiting?

    public init(text: String, role: Role, at: Date, awaiting: Awaiting? = nil) {
        self.text = text
        self.role = role
        self.at = at
        self.awaiting = awaiting
    }

    /// What a progress message waits for, so the event that ends it can say how it ended.
    public enum Awaiting: Sendable, Equatable {
        case refresh(server: String)
        case reconnect(server: String)
        case login(server: String)
        /// A call asked for from the tool pane; the id is known once it started.
        case call(server: String, tool: String, id: Int?)
    }
}

public struct DashboardState: Sendable {
    public var servers: [ServerSnapshot] = [] {
        didSet {
            serversRevision &+= 1
            phaseCounts = servers.reduce(into: PhaseCounts()) { counts, server in
                switch server.state.phase.group {
                case .ok: counts.ok += 1
                case .busy: counts.busy += 1
                case .problem: counts.problem += 1
                }
            }
            updateVisible()
        }
    }
    /// Changes whenever `servers` does, so a frame can tell that rows drawn earlier still hold.
    public private(set) var serversRevision = 0
    /// How many servers are connected, busy and in trouble, for the title bar.
    public private(set) var phaseCounts = PhaseCounts()
    public struct PhaseCounts: Sendable, Equatable {
        public var ok = 0, busy = 0, problem = 0
    }
    /// The selected server, by name: sorting, filtering and new snapshots never move the
    /// selection to another server.
    public var selectedName: String?
    public var filter = "" {
        didSet { updateVisible() }
    }
    public var editingFilter = false
    public var sort: SortKey = .name {
        didSet { updateVisible() }
    }
    /// The servers as shown: filtered and sorted. Kept up to date when `servers`, `filter` or
    /// `sort` change, so drawing a frame every second does not sort them again.
    public private(set) var visible: [ServerSnapshot] = []
    public var overlay: Overlay?
    public var status: StatusLine?
    public var now: Date
    public var width: Int
    public var height: Int
    public var themeName: String
    /// Whether the theme's popups are light (then a QR code's dark modules are drawn as ink,
    /// else its light ones: a reader needs dark modules on a light ground).
    public var popupIsLight = false
    /// Recent events as lines, for the log pane.
    public var log = RingBuffer<String>(capacity: 500)
    public var logScroll = 0
    public var helpScroll = 0
    /// Where the config is, for the empty screen.
    public var configFile: String
    /// The other clients' tokens and importable servers (`o`, `i`).
    public var otherClients = OtherClients()
    /// Seconds east of UTC for the clock times shown (tests fix it; the app uses the local zone).
    public var utcOffset = TimeText.localUTCOffset()

    public init(now: Date, width: Int, height: Int, themeName: String, configFile: String) {
        self.now = now
        self.width = width
        self.height = height
        self.themeName = themeName
        self.configFile = configFile
    }

    private mutating func updateVisible() {
        visible = Self.visible(servers, filter: filter, sort: sort)
    }

    private static func visible(_ servers: [ServerSnapshot], filter: String, sort: SortKey) -> [ServerSnapshot] {
        let needle = filter.lowercased()
        let shown =
            needle.isEmpty
            ? servers
            : servers.filter {
                $0.name.lowercased().contains(needle) || $0.target.lowercased().contains(needle)
                    || $0.state.phase.rawValue.lowercased().contains(needle)
            }
        switch sort {
        case .name: return shown.sorted { $0.name < $1.name }
        case .state: return shown.sorted { ($0.state.phase.order, $0.name) < ($1.state.phase.order, $1.name) }
        case .expiry:
            return shown.sorted {
                ($0.token?.expiresAt ?? .distantFuture, $0.name) < ($1.token?.expiresAt ?? .distantFuture, $1.name)
            }
        case .errors: return shown.sorted { ($1.errorCount, $0.name) < ($0.errorCount, $1.name) }
        }
    }

    /// The row of the selected server among the visible ones (the first when it is not shown).
    public var selected: Int {
        guard let selectedName, let index = visible.firstIndex(where: { $0.name == selectedName }) else { return 0 }
        return index
    }

    public var selectedServer: ServerSnapshot? {
        visible.isEmpty ? nil : visible[selected]
    }

    /// Selects the server on row `index` of the visible list, clamped to the list.
    public mutating func select(row index: Int) {
        guard !visible.isEmpty else { return }
        selectedName = visible[min(max(0, index), visible.count - 1)].name
    }

    public func server(named name: String) -> ServerSnapshot? {
        servers.first { $0.name == name }
    }
}

extension ConnectionState.Phase {
    /// Problems first when sorting by state.
    var order: Int {
        switch self {
        case .failed, .config: return 0
        case .needsLogin: return 1
        case .backoff: return 2
        case .connecting, .authorizing, .refreshing: return 3
        case .idle: return 4
        case .connected: return 5
        }
    }
}
