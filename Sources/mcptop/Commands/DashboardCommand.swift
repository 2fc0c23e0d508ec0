import ArgumentParser
import Config
import Dashboard
import Foundation
import Monitor
import OAuth
import Terminal

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The full-screen dashboard over every configured server (what `mcptop` alone runs).")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Theme name (see themes/ and $XDG_CONFIG_HOME/mcptop/themes).", valueName: "name"))
    var theme: String?

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let usable = configuration.servers.filter { $0.problem == nil }
        for server in configuration.servers {
            if let problem = server.problem { Terminal.warn("\(configuration.file): \(server.name): \(problem)") }
        }
        let monitor = Monitor(specs: usable.map(\.spec), store: global.store)
        try await Themes.runDashboard(
            monitor: monitor, requested: theme ?? configuration.theme, configFile: configuration.file)
    }
}

/// Picking themes for the dashboard: the requested one first, then the rest for `T`.
enum Themes {
    static func runDashboard(monitor: Monitor, requested: String?, configFile: String) async throws {
        let environment = ProcessInfo.processInfo.environment
        let paths = ThemeLoader.defaultSearchPaths(
            environment: environment, executablePath: CommandLine.arguments[0])
        let available = ThemeLoader.available(searchPaths: paths)
        var choices: [DashboardApp.ThemeChoice] = []
        var warnings: [String] = []
        for name in available.keys.sorted() {
            switch ThemeLoader.load(named: name, searchPaths: paths) {
            case .success(let (theme, themeWarnings)):
                choices.append(DashboardApp.ThemeChoice(name: name, theme: theme))
                warnings += themeWarnings.map(\.description)
            case .failure(let error):
                warnings.append("\(error)")
            }
        }
        if choices.isEmpty { choices = [DashboardApp.ThemeChoice(name: "built-in", theme: .builtIn)] }
        let wanted = requested ?? "dark"
        var index = choices.firstIndex { $0.name == wanted } ?? 0
        if let requested, choices.firstIndex(where: { $0.name == requested }) == nil {
            throw CommandFailure(
                message: "unknown theme \"\(requested)\" (available: \(choices.map(\.name).joined(separator: ", ")))",
                status: ExitStatus.usage)
        }
        if requested == nil, let dark = choices.firstIndex(where: { $0.name == "dark" }) { index = dark }
        for warning in warnings { Terminal.warn(warning) }
        let app = DashboardApp(
            monitor: monitor, themes: choices, themeIndex: index,
            noColor: ThemeLoader.noColorRequested(environment: environment),
            configFile: configFile)
        do {
            try await app.run()
        } catch let error as TerminalError {
            throw CommandFailure(message: error.description, status: ExitStatus.usage)
        }
    }
}
