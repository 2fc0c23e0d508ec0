import App
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

    @Option(
        help: ArgumentHelp(
            "Theme name: one built in (dark, light, nord, …) or a file in $XDG_CONFIG_HOME/mcptop/themes.",
            valueName: "name"))
    var theme: String?

    func run() async throws {
        let configuration = try global.loadConfiguration()
        // A server whose entry cannot be used (an unset ${VAR}) gets a row in the `config` state.
        var options = MonitorOptions()
        options.bridgeFolder = global.bridgeFolder
        let monitor = Monitor(specs: configuration.servers.map(\.spec), store: try global.store(), options: options)
        let others = OtherClientsLoader(
            locations: global.locations, environment: ProcessInfo.processInfo.environment,
            projectDirectory: FileManager.default.currentDirectoryPath)
        try await Themes.runDashboard(
            monitor: monitor, requested: theme ?? configuration.theme, configFile: configuration.file,
            otherClients: DashboardApp.OtherClientsSource(load: others.load, importServers: others.importServers))
    }
}

/// Picking themes for the dashboard: the requested one first, then the rest for `T`.
enum Themes {
    static func runDashboard(
        monitor: Monitor, requested: String?, configFile: String, otherClients: DashboardApp.OtherClientsSource? = nil
    ) async throws {
        let environment = ProcessInfo.processInfo.environment
        let paths = ThemeLoader.defaultSearchPaths(
            environment: environment, executablePath: CommandLine.arguments[0])
        let available = ThemeLoader.available(searchPaths: paths)
        var choices: [DashboardApp.ThemeChoice] = []
        var warnings: [String] = []
        // Every theme is parsed now, for `T`: DashboardApp takes parsed themes. The six shipped
        // ones take about 1.5 ms together in a release build.
        for (name, source) in available.sorted(by: { $0.key < $1.key }) {
            switch ThemeLoader.load(source) {
            case .success(let (theme, themeWarnings)):
                choices.append(DashboardApp.ThemeChoice(name: name, theme: theme))
                warnings += themeWarnings.map(\.description)
            case .failure(let error):
                warnings.append("\(error)")
            }
        }
        if choices.isEmpty { choices = [DashboardApp.ThemeChoice(name: "built-in", theme: .builtIn)] }
        // Warnings first: they may say why a requested theme is missing.
        for warning in warnings { Console.warn(warning) }
        let index = choices.firstIndex { $0.name == (requested ?? "dark") }
        if index == nil, let requested {
            throw CommandFailure(
                message: "unknown theme \"\(requested)\" (available: \(choices.map(\.name).joined(separator: ", ")))",
                status: ExitStatus.usage)
        }
        let app = DashboardApp(
            monitor: monitor, themes: choices, themeIndex: index ?? 0,
            noColor: ThemeLoader.noColorRequested(environment: environment),
            configFile: configFile, otherClients: otherClients)
        do {
            try await app.run()
        } catch let error as TerminalError {
            throw CommandFailure(message: error.description, status: ExitStatus.usage)
        }
    }
}
