import Foundation
import MCPClient
import Monitor
import Support

/// One column of the server table: its header, how much room it wants, how much it gives up
/// first on a narrow terminal, what it sorts by and what its cell shows. `Column.all` is the
/// one list the table, the sort marker and the row memo are made from.
struct Column: Sendable {
    enum ID: Sendable, Equatable { case name, transport, state, token, account, refresh, lastCall, calls, errors }

    var id: ID
    var title: String
    /// Never narrower than this; a column that cannot have it is left out.
    var minimum: Int
    /// Kept first when room is short: 0 is never dropped.
    var priority: Int
    /// The width it would like for these servers (STATE takes whatever is left over too).
    var preferred: @Sendable ([ServerSnapshot]) -> Int
    var sort: SortKey?
    /// Whether it has anything to show for these servers; a column with nothing takes no room.
    var shown: @Sendable ([ServerSnapshot]) -> Bool = { _ in true }
    /// Takes what room is left, down to its minimum, rather than going without.
    var shrinks = false
    /// Whether the cell changes with the time alone (a countdown, an age): such rows are
    /// drawn again every second, the others kept from the last frame.
    var showsTime: @Sendable (ServerSnapshot) -> Bool = { _ in false }
    var cell: @Sendable (ServerSnapshot, CellContext) -> CellText

    struct CellContext {
        var now: Date
        var unicode: Bool
        var width: Int
    }

    /// A cell's text and role, or a custom drawing (the token gauge).
    enum CellText {
        case text(String, Role)
        case token(TokenSummary, Date)
    }
}

extension Column {
    static let all: [Column] = [
        Column(
            id: .name, title: "NAME", minimum: 8, priority: 0,
            preferred: { servers in min(24, servers.map { DisplayWidth.of($0.name) }.max() ?? 8) }, sort: .name,
            cell: { server, _ in .text(server.name, .normal) }),
        Column(
            id: .state, title: "STATE", minimum: 28, priority: 1,
            preferred: { servers in
                min(70, servers.map { DisplayWidth.of(stateText($0, unicode: true, now: nil)) + 6 }.max() ?? 28)
            },
            sort: .state, showsTime: { $0.state.retryAt != nil },
            cell: { server, context in
                .text(
                    stateText(server, unicode: context.unicode, now: context.now),
                    server.pendingLogin != nil ? .accent : server.state.phase.role)
            }),
        Column(
            id: .token, title: "TOKEN", minimum: 14, priority: 2, preferred: { _ in 16 }, sort: .expiry,
            showsTime: { $0.token != nil },
            cell: { server, context in
                guard let token = server.token else {
                    if !server.usesOAuth || server.configProblem != nil { return .text("-", .dim) }
                    if server.state.phase == .connected { return .text("not needed", .dim) }
                    return .text("no login", .dim)
                }
                if token.unusableReason != nil { return .text("login needed", .error) }
                guard token.expiresAt != nil else { return .text("expiry unknown", .dim) }
                return .token(token, context.now)
            }),
        // Who logged in (from the ID token or a JWT access token; never the token), cut with
        // "…" to the room left after the essentials.
        Column(
            id: .account, title: "ACCOUNT", minimum: 10, priority: 4,
            preferred: { servers in min(32, servers.compactMap { $0.token?.account }.map(DisplayWidth.of).max() ?? 0) },
            sort: nil, shown: { servers in servers.contains { $0.token?.account != nil } }, shrinks: true,
            cell: { server, _ in
                guard let account = server.token?.account else { return .text("-", .dim) }
                return .text(account, .normal)
            }),
        Column(
            id: .errors, title: "ERR", minimum: 3, priority: 3, preferred: { _ in 3 }, sort: .errors,
            cell: { server, _ in .text("\(server.errorCount)", server.errorCount > 0 ? .error : .normal) }),
        Column(
            id: .lastCall, title: "LAST CALL", minimum: 9, priority: 5, preferred: { _ in 16 }, sort: nil,
            cell: { server, _ in
                guard let call = server.calls.last else { return .text("-", .dim) }
                let duration = call.duration.map { TimeText.elapsed($0) } ?? "…"
                return .text("\(call.tool) \(duration)", call.outcome.role)
            }),
        Column(
            id: .refresh, title: "REFRESH", minimum: 7, priority: 6, preferred: { _ in 10 }, sort: nil,
            showsTime: { $0.token?.refreshTokenObtainedAt != nil },
            cell: { server, context in
                guard let token = server.token else { return .text("-", .dim) }
                guard token.hasRefreshToken else { return .text("none", .warn) }
                if token.unusableReason != nil { return .text("refused", .error) }
                let age = token.refreshTokenObtainedAt.map {
                    " " + TimeText.countdown(context.now.timeIntervalSince($0))
                }
                return .text("yes" + (age ?? ""), .normal)
            }),
        Column(
            id: .calls, title: "CALLS", minimum: 5, priority: 7, preferred: { _ in 5 }, sort: nil,
            cell: { server, _ in .text("\(server.callCount)", .normal) }),
        Column(
            id: .transport, title: "TRANSPORT", minimum: 9, priority: 8,
            preferred: { servers in
                min(15, servers.map { $0.transport.count + ($0.serverInfo == nil ? 0 : 11) }.max() ?? 9)
            }, sort: nil,
            cell: { server, _ in
                // The negotiated revision in full: "26-07" read like a date.
                .text(server.transport + (server.serverInfo.map { " " + $0.protocolVersion } ?? ""), .dim)
            }),
    ]

    /// "● connected · login pending protocol 2026-07-28, 3 tools": the phase, the retry
    /// countdown of a backoff (when `now` is given), a pending login, the reason.
    static func stateText(_ server: ServerSnapshot, unicode: Bool, now: Date?) -> String {
        let phase = server.state.phase
        var text = "\(Renderer.symbol(phase.group, unicode)) \(phase.rawValue)"
        if let now, let retryAt = server.state.retryAt {
            text += " " + TimeText.countdown(retryAt.timeIntervalSince(now))
        }
        if server.pendingLogin != nil { text += unicode ? " · login pending" : " - login pending" }
        // Clients using the server through mcptop proxy / serve.
        if !server.attachedClients.isEmpty { text += (unicode ? " ⇄" : " <>") + "\(server.attachedClients.count)" }
        return text + " " + server.state.reason
    }

    /// The columns that fit `width` and their widths. The essential columns first (NAME as
    /// wide as the longest name, STATE at its minimum, TOKEN, ERR, ACCOUNT in what is left);
    /// then STATE grows towards a
    /// comfortable width for its reasons; then the others join by priority, each whole, while
    /// they fit (a column cut to a stub says nothing); STATE gets whatever room is left.
    static func layout(width: Int, servers: [ServerSnapshot]) -> [(column: Column, width: Int)] {
        var widths: [Column.ID: Int] = [:]
        var used = -1  // n columns take n - 1 gaps
        func add(_ column: Column) {
            guard column.shown(servers) else { return }
            var wanted = column.id == .state ? column.minimum : max(column.minimum, column.preferred(servers))
            if column.shrinks { wanted = max(column.minimum, min(wanted, width - used - 1)) }
            guard used + 1 + wanted <= width else { return }
            widths[column.id] = wanted
            used += 1 + wanted
        }
        let byPriority = all.sorted { $0.priority < $1.priority }
        for column in byPriority where column.priority <= essentialPriority { add(column) }
        if let state = widths[.state], let column = all.first(where: { $0.id == .state }) {
            let grown = min(max(state, min(48, column.preferred(servers))), state + max(0, width - used))
            used += grown - state
            widths[.state] = grown
        }
        for column in byPriority where column.priority > essentialPriority { add(column) }
        if let state = widths[.state] { widths[.state] = state + max(0, width - used) }
        return all.compactMap { column in widths[column.id].map { (column, $0) } }
    }

    /// NAME, STATE, TOKEN, ERR and ACCOUNT (in the room left): shown before STATE grows.
    private static let essentialPriority = 4
}

/// The server table: header with the sort marker, one row per visible server, rows kept from
/// the previous frame when nothing they show has changed.
enum ServerTable {
    /// Server table rows drawn in earlier frames, reused while nothing a row shows has
    /// changed: the servers (a new fetch), the layout, the drawing mode, and for rows that
    /// show a countdown or an age, the time. A second's tick then redraws only those.
    struct Memo: Sendable {
        struct Key: Equatable {
            var revision: Int
            /// The screen width and the column widths: a row's cells span the screen.
            var screenWidth: Int
            var widths: [Int]
            var unicode: Bool
            var now: Date?
        }
        /// By table row: the server it showed, the inputs and the cells.
        var rows: [(server: String, key: Key, cells: [Cell])] = []
    }

    /// Draws the table and returns how many rows it used (header excluded).
    static func draw(_ screen: inout Screen, _ state: DashboardState, memo: inout Memo) -> Int {
        let visible = state.visible
        let available = max(3, (screen.height - 6) / 2)
        let rows = min(visible.count, available)
        let layout = Column.layout(width: screen.width, servers: state.servers)
        let widths = layout.map(\.width)
        var x = 0
        screen.fill(row: 1, from: 0, to: screen.width, role: .header)
        for (column, width) in layout {
            var title = column.title
            if column.sort == state.sort { title += screen.unicode ? "▾" : "v" }
            screen.write(title, row: 1, column: x, role: .header, field: width)
            x += width + 1
        }
        let selected = state.selected
        let first = max(0, min(selected - rows + 1, visible.count - rows))
        var drawn: [(server: String, key: Memo.Key, cells: [Cell])] = []
        drawn.reserveCapacity(rows)
        for offset in 0..<rows {
            let server = visible[first + offset]
            let row = Layout.tableTop + offset
            let showsTime = layout.contains { $0.column.showsTime(server) }
            let key = Memo.Key(
                revision: state.serversRevision, screenWidth: screen.width, widths: widths, unicode: screen.unicode,
                now: showsTime ? state.now : nil)
            if offset < memo.rows.count, memo.rows[offset].server == server.name, memo.rows[offset].key == key {
                screen.replace(row: row, with: memo.rows[offset].cells)
            } else {
                drawRow(&screen, server, row: row, layout: layout, now: state.now)
            }
            drawn.append((server.name, key, screen.rows[row]))
            if first + offset == selected { screen.restyle(row: row, from: 0, to: screen.width, role: .selected) }
        }
        memo.rows = drawn
        if visible.isEmpty {
            screen.write("  no server matches \"\(state.filter)\"", row: Layout.tableTop, column: 0, role: .dim)
            return 1
        }
        return rows
    }

    private static func drawRow(
        _ screen: inout Screen, _ server: ServerSnapshot, row: Int, layout: [(column: Column, width: Int)], now: Date
    ) {
        var x = 0
        for (column, width) in layout {
            let context = Column.CellContext(now: now, unicode: screen.unicode, width: width)
            switch column.cell(server, context) {
            case .text(let text, let role):
                screen.write(text, row: row, column: x, role: role, field: width)
            case .token(let token, let now):
                tokenGauge(&screen, token, row: row, column: x, width: width, now: now)
            }
            x += width + 1
        }
    }

    /// "12:34 ▇▇▇▇▆░░░" — time left and a small gauge of the lifetime left.
    private static func tokenGauge(
        _ screen: inout Screen, _ token: TokenSummary, row: Int, column: Int, width: Int, now: Date
    ) {
        guard let expiry = token.expiresAt else { return }
        tokenGauge(
            &screen, expiresAt: expiry, obtainedAt: token.obtainedAt, row: row, column: column, width: width, now: now)
    }

    /// The countdown and gauge of a token expiring at `expiresAt`: mcptop's own servers and the
    /// other clients' token board draw the same cell.
    static func tokenGauge(
        _ screen: inout Screen, expiresAt expiry: Date, obtainedAt: Date?, row: Int, column: Int, width: Int, now: Date
    ) {
        let left = expiry.timeIntervalSince(now)
        let fraction = TokenLifetime.fractionLeft(expiresAt: expiry, obtainedAt: obtainedAt, now: now)
        let role: Role =
            switch TokenLifetime.phase(expiresAt: expiry, obtainedAt: obtainedAt, now: now) {
            case .expired: .error
            case .endingSoon: .warn
            case .valid: .ok
            }
        let text = left <= 0 ? "expired" : TimeText.countdown(left)
        let textWidth = min(width, max(7, DisplayWidth.of(text)))
        let end = screen.write(text, row: row, column: column, role: role, field: textWidth)
        let gaugeWidth = max(0, width - textWidth - 1)
        let filled = NumberText.clampedInt(Double(gaugeWidth) * fraction)
        let full: Character = screen.unicode ? "█" : "#"
        let empty: Character = screen.unicode ? "░" : "."
        screen.fill(
            row: row, from: end + 1, to: end + 1 + filled, role: role == .ok ? .gaugeFull : role, character: full)
        screen.fill(row: row, from: end + 1 + filled, to: end + 1 + gaugeWidth, role: .gaugeEmpty, character: empty)
    }
}
