import Dashboard
import Foundation
import Monitor
import Synchronization
import Terminal

/// Runs the dashboard: monitor events and snapshots flow in as actions, keys too; the reducer
/// changes the state, the renderer draws it, the terminal copies what changed. The UI loop has
/// a thread of its own (it blocks in poll); everything else is async.
public final class DashboardApp: @unchecked Sendable {
    // Unchecked Sendable: `state`, `terminal`, `memo` and `themeIndex` are touched only on the UI thread;
    // the inbox is behind a mutex.
    /// A theme `T` can switch to. It is read and parsed when first shown, so a big or broken
    /// theme file that is not selected costs nothing at start-up.
    public struct ThemeChoice: Sendable {
        public var name: String
        public var load: @Sendable () -> Result<(Theme, [ThemeWarning]), ThemeError>
        public init(name: String, load: @escaping @Sendable () -> Result<(Theme, [ThemeWarning]), ThemeError>) {
            self.name = name
            self.load = load
        }
        public init(name: String, theme: Theme) {
            self.init(name: name, load: { .success((theme, [])) })
        }
    }

    /// Reading other clients' files and importing from them (`o`, `i`), done off the UI thread.
    public struct OtherClientsSource: Sendable {
        public var load: @Sendable () -> OtherClients
        /// What an import would do, written nowhere: the confirmation popup lists it.
        public var preview: @Sendable (ImportRequest) -> ImportPreview
        public var importServers: @Sendable (ImportRequest) -> (String, Role)
        public init(
            load: @escaping @Sendable () -> OtherClients,
            preview: @escaping @Sendable (ImportRequest) -> ImportPreview,
            importServers: @escaping @Sendable (ImportRequest) -> (String, Role)
        ) {
            self.load = load
            self.preview = preview
            self.importServers = importServers
        }
    }

    private let monitor: Monitor
    private let otherClients: OtherClientsSource?
    private let themes: [ThemeChoice]
    private var themeIndex: Int
    /// Themes parsed so far, by index in `themes`.
    private var loadedThemes: [Int: Theme] = [:]
    private let noColor: Bool
    private var state: DashboardState
    private let inbox = Mutex<[Action]>([])
    private var terminal: NCursesTerminal?
    private var memo = Renderer.RowMemo()
    /// What `y` copied: printed on exit too, for terminals that ignore OSC 52.
    private var copied: [String] = []
    private var mouseOn = true

    public init(
        monitor: Monitor, themes: [ThemeChoice], themeIndex: Int, noColor: Bool, configFile: String,
        otherClients: OtherClientsSource? = nil, notice: String? = nil
    ) {
        self.monitor = monitor
        self.otherClients = otherClients
        self.themes = themes.isEmpty ? [ThemeChoice(name: "built-in", theme: .builtIn)] : themes
        self.themeIndex = min(max(0, themeIndex), max(0, themes.count - 1))
        self.noColor = noColor
        state = DashboardState(
            now: Date(), width: 80, height: 24, themeName: self.themes[self.themeIndex].name, configFile: configFile)
        // What stderr said before the screen took over (a theme's problems): on the screen too.
        if let notice { state.status = StatusLine(text: notice, role: .warn, at: Date()) }
    }

    /// Runs until the user quits (or a signal asks to); the terminal is restored in every case.
    public func run() async throws {
        let first = theme(at: themeIndex)?.0 ?? .builtIn
        let terminal = try NCursesTerminal(theme: first, noColor: noColor)
        state.popupIsLight = first.popupIsLight
        self.terminal = terminal
        state.width = terminal.width
        state.height = terminal.height
        let events = monitor.hub.subscribe(buffer: 4096)
        // Something happened: the snapshots are worth fetching again. Signals made while a
        // fetch is under way or resting collapse into one.
        let (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        changed.yield()  // the first frame's data
        monitor.start()
        let feeder = Task {
            for await event in events {
                self.post(.event(event))
                changed.yield()
            }
        }
        // Snapshots are fetched after something happened, at most 10 times a second; when
        // nothing happens nothing wakes up, and the countdowns tick from the clock alone.
        let snapshotter = Task {
            for await _ in changes {
                self.post(.snapshots(await self.monitor.snapshots()))
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        // Other clients' files change as they log in and refresh: read again every 30 s.
        let reader = Task.detached { [otherClients] in
            guard let otherClients else { return }
            while !Task.isCancelled {
                self.post(.otherClients(otherClients.load()))
                try? await Task.sleep(for: .seconds(30))
            }
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                self.uiLoop(terminal)
                done.resume()
            }
            thread.name = "mcptop-ui"
            thread.start()
        }
        terminal.shutdown()
        for text in copied { FileHandle.standardError.write(Data("mcptop: copied: \(text)\n".utf8)) }
        feeder.cancel()
        reader.cancel()
        changed.finish()
        snapshotter.cancel()
        await monitor.stop()
    }

    private func post(_ action: Action) {
        inbox.withLock { $0.append(action) }
        terminal?.wake()
    }

    private func uiLoop(_ terminal: NCursesTerminal) {
        var running = true
        var lastSecond = Int(Date().timeIntervalSince1970)
        terminal.draw(Renderer.render(state, unicode: terminal.unicode, memo: &memo))
        while running {
            let now = Date()
            let untilNextSecond = Int((1 - now.timeIntervalSince1970.truncatingRemainder(dividingBy: 1)) * 1000) + 5
            var actions: [Action] = []
            for input in terminal.readInput(timeout: untilNextSecond) {
                switch input {
                case .key(let key): actions.append(.key(key))
                case .resize(let width, let height): actions.append(.resize(width: width, height: height))
                case .quit: running = false
                case .wake: break
                }
            }
            actions += inbox.withLock { queued in
                defer { queued.removeAll() }
                return queued
            }
            let second = Int(Date().timeIntervalSince1970)
            if second != lastSecond || actions.isEmpty {
                lastSecond = second
                actions.append(.tick(Date()))
            }
            for action in actions {
                for effect in Reducer.reduce(&state, action) {
                    if !perform(effect, terminal: terminal) { running = false }
                }
            }
            guard running else { break }
            // A terminal selection of the login URL needs the mouse to itself.
            let wantsMouse: Bool
            switch state.overlay {
            case .loginURL?, .deviceCode?: wantsMouse = false
            default: wantsMouse = true
            }
            if wantsMouse != mouseOn {
                mouseOn = wantsMouse
                terminal.setMouseReporting(wantsMouse)
            }
            terminal.draw(Renderer.render(state, unicode: terminal.unicode, memo: &memo))
        }
    }

    /// The theme at `index`, parsed on first use; nil when it cannot be loaded.
    /// The theme, and its problems the first time it is loaded.
    private func theme(at index: Int) -> (Theme, [ThemeWarning])? {
        if let theme = loadedThemes[index] { return (theme, []) }
        guard case .success(let (theme, warnings)) = themes[index].load() else { return nil }
        loadedThemes[index] = theme
        return (theme, warnings)
    }

    /// `T`: the next theme that loads; one that does not is skipped, and the status line says why.
    private func nextTheme(terminal: NCursesTerminal) {
        var skipped: [String] = []
        for step in 1...themes.count {
            let index = (themeIndex + step) % themes.count
            if let (theme, warnings) = theme(at: index) {
                themeIndex = index
                terminal.setTheme(theme)
                state.themeName = themes[index].name
                state.popupIsLight = theme.popupIsLight
                let problems = ThemeWarning.summary(warnings, theme: themes[index].name)
                let text = (["theme: \(themes[index].name)"] + skipped + [problems].compactMap { $0 })
                    .joined(separator: "; ")
                let fine = skipped.isEmpty && problems == nil
                state.status = StatusLine(text: text, role: fine ? .normal : .warn, at: Date())
                return
            }
            if case .failure(let error) = themes[index].load() { skipped.append("skipped \(error)") }
        }
    }

    /// Returns false for quit.
    private func perform(_ effect: Effect, terminal: NCursesTerminal) -> Bool {
        switch effect {
        case .quit:
            return false
        case .nextTheme:
            nextTheme(terminal: terminal)
        case .command(let server, let command):
            guard let supervisor = monitor.supervisor(named: server) else { break }
            Task { await supervisor.send(command) }
        case .callTool(let server, let tool, let arguments):
            guard let supervisor = monitor.supervisor(named: server) else { break }
            Task {
                let id = await supervisor.callTool(tool, arguments: arguments)
                self.post(.callStarted(server: server, id: id))
            }
        case .copy(let text):
            terminal.copyToClipboard(text)
            if !copied.contains(text) { copied.append(text) }
        case .cancelCall(let server, let id):
            guard let supervisor = monitor.supervisor(named: server) else { break }
            Task { await supervisor.cancelCall(id) }
        case .previewImport(let request):
            guard let otherClients else { break }
            Task.detached { self.post(.importPreview(otherClients.preview(request))) }
        case .importServers(let request):
            guard let otherClients else { break }
            Task.detached {
                let (summary, role) = otherClients.importServers(request)
                self.post(.imported(summary: summary, role: role))
                self.post(.otherClients(otherClients.load()))
            }
        }
        return true
    }
}
