import Foundation
import MCPClient
import Monitor

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
}

/// What the dashboard asks the outside world to do, as values.
public enum Effect: Sendable, Equatable {
    case command(server: String, SupervisorCommand)
    case callTool(server: String, tool: String, arguments: JSONValue)
    case cancelCall(server: String, id: Int)
    case nextTheme
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
    public var editing = false
    public var rawMode = false
    public var rawText = ""
    public var errors: [String: String] = [:]
    /// The call started from this pane, while it runs or once it is done.
    public var callID: Int?
    public var resultScroll = 0

    public init(server: String, tools: [Tool]) {
        self.server = server
        self.tools = tools
        if let first = tools.first { choose(first) }
    }

    public mutating func choose(_ tool: Tool) {
        form = ToolForm(schema: tool.inputSchema)
        rawText = ToolForm.rawEditorText(schema: tool.inputSchema)
        selectedField = 0
        errors = [:]
        callID = nil
        resultScroll = 0
    }
}

public enum Overlay: Sendable, Equatable {
    case help
    case loginURL(server: String, url: String)
    case tools(ToolPaneState)
    case log
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
    public var selected = 0
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
    public var status: (text: String, role: Role, at: Date)?
    public var now: Date
    public var width: Int
    public var height: Int
    public var themeName: String
    /// Recent events as lines, for the log pane.
    public var log = RingBuffer<String>(capacity: 500)
    public var logScroll = 0
    /// Where the config is, for the empty screen.
    public var configFile: String
    public var detailScroll = 0
    /// Seconds east of UTC for the clock times shown (tests fix it; the app uses the local zone).
    public var utcOffset = Self.localUTCOffset()

    public init(now: Date, width: Int, height: Int, themeName: String, configFile: String) {
        self.now = now
        self.width = width
        self.height = height
        self.themeName = themeName
        self.configFile = configFile
    }

    /// The local zone's offset now, from the C library (TZ, /etc/localtime). Foundation's
    /// `TimeZone.current` would load ICU's zone data, a megabyte of resident memory for a number.
    public static func localUTCOffset() -> Int {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return 0 }
        return parts.tm_gmtoff
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

    public var selectedServer: ServerSnapshot? {
        let list = visible
        guard !list.isEmpty else { return nil }
        return list[min(max(0, selected), list.count - 1)]
    }
}

extension ConnectionState.Phase {
    /// Problems first when sorting by state.
    var order: Int {
        switch self {
        case .failed: return 0
        case .needsLogin: return 1
        case .backoff: return 2
        case .connecting, .authorizing, .refreshing: return 3
        case .idle: return 4
        case .connected: return 5
        }
    }
}
