import Config
import Foundation

/// `i` never writes at once: the app works out what would be imported (`.previewImport`), this
/// popup lists it — each server with the command it would run or the URL it would reach, what
/// is skipped and why — and only `y` (or Enter) imports exactly that list.
enum ImportConfirmation {
    /// The preview has arrived: the popup when something would be added, else the status line says why not.
    static func open(_ preview: ImportPreview, in state: inout DashboardState) {
        if let problem = preview.problem {
            Reducer.say("nothing imported: \(problem)", .error, in: &state)
            return
        }
        guard !preview.added.isEmpty else {
            let why = preview.skipped.first ?? "no server in other clients' configs"
            Reducer.say("nothing to import: \(why)", .warn, in: &state)
            return
        }
        state.overlay = .confirmImport(preview, scroll: 0)
        Reducer.say("\(count(preview.added)) to import: y imports, Esc cancels", in: &state)
    }

    static func handle(_ command: KeyBinding.Command, in state: inout DashboardState) -> [Effect] {
        guard case .confirmImport(let preview, let scroll)? = state.overlay else { return [] }
        switch command {
        case .confirm:
            state.overlay = overlayBehind(preview, state)
            Reducer.say("importing \(names(preview.added))…", in: &state)
            return [.importServers(.servers(preview.added))]
        case .close:
            state.overlay = overlayBehind(preview, state)
            Reducer.say("import cancelled: nothing was written", .warn, in: &state)
        default:
            let rows = ImportConfirmView.rows(height: state.height)
            let last = ImportConfirmView.lines(preview, width: ImportConfirmView.width(state.width)).count - rows
            state.overlay = .confirmImport(
                preview, scroll: Reducer.scrolled(scroll, by: command, page: rows, last: last))
        }
        return []
    }

    /// The token board when the import was asked for from one of its rows, else the server list.
    private static func overlayBehind(_ preview: ImportPreview, _ state: DashboardState) -> Overlay? {
        guard case .server(let token) = preview.request else { return nil }
        return .otherTokens(selected: state.otherClients.board.tokens.firstIndex(of: token) ?? 0)
    }

    static func count(_ servers: [ForeignServer]) -> String {
        servers.count == 1 ? "1 server" : "\(servers.count) servers"
    }

    private static func names(_ servers: [ForeignServer]) -> String {
        servers.count <= 3 ? servers.map(\.name).joined(separator: ", ") : count(servers)
    }
}

/// The confirmation popup: a box over the screen, scrollable when the list is long.
enum ImportConfirmView {
    static func width(_ screenWidth: Int) -> Int { min(screenWidth - 4, 96) }

    /// The rows of list the box shows at this screen height.
    static func rows(height: Int) -> Int { max(1, height - 6) }

    /// The list for a box `width` wide: what would be added (name, origin, command or URL),
    /// what is skipped and why, the files that could not be read.
    static func lines(_ preview: ImportPreview, width: Int) -> [(String, Role)] {
        let room = max(10, width - 4)
        var lines: [(String, Role)] = []
        func add(_ text: String, _ role: Role, indent: String = "") {
            lines += DisplayWidth.wrap(text, to: room - indent.count).map { (indent + $0, role) }
        }
        add("Would add to \(preview.configFile):", .popup)
        var stdio = 0
        for server in preview.added {
            let runs = server.entry?["command"] != nil
            if runs { stdio += 1 }
            add("\(server.name)  (from \(server.origin))", .accent, indent: "  ")
            add((runs ? "runs: " : "url: ") + server.target, .popup, indent: "    ")
        }
        if stdio > 0 {
            lines.append(("", .popup))
            let commands = stdio == 1 ? "the command above" : "the \(stdio) commands above"
            add("y starts \(commands): mcptop watches imported servers at once.", .warn)
        }
        if !preview.skipped.isEmpty {
            lines.append(("", .popup))
            add("Skipped:", .header)
            for skip in preview.skipped { add(skip, .dim, indent: "  ") }
        }
        if !preview.failures.isEmpty {
            lines.append(("", .popup))
            add("Not readable (skipped):", .header)
            for failure in preview.failures { add(failure, .warn, indent: "  ") }
        }
        return lines
    }

    static func draw(_ screen: inout Screen, preview: ImportPreview, scroll: Int) {
        let width = width(screen.width)
        let all = lines(preview, width: width)
        let rows = min(rows(height: screen.height), all.count)
        let first = min(max(0, scroll), max(0, all.count - rows))
        let more = all.count > rows ? " (↑↓ PgDn scroll)" : ""
        Box.draw(
            &screen, title: "Import \(ImportConfirmation.count(preview.added))? y imports, Esc cancels\(more)",
            lines: Array(all[first...]), width: width, height: rows + 2)
    }
}
