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
            otherClients: DashboardApp.OtherClientsSource(
                load: others.load, preview: others.preview,
                importServers: { request in others.importServers(request) { monitor.add($0) } }))
    }
}

/// Picking themes for the dashboard: the requested one first, then the rest for `T`.
enum Themes {
    /// Every available theme as a choice for `T`, and which one to start with. Only that one is
    /// read and parsed now (a big or broken theme that is not selected costs nothing); the
    /// others when `T` first shows them. A requested theme that is unknown, too big or
    /// unreadable is a usage error.
    static func choices(available: [String: ThemeSource], requested: String?) throws -> (
        [DashboardApp.ThemeChoice], Int, [ThemeWarning]
    ) {
        var choices = available.sorted(by: { $0.key < $1.key }).map { name, source in
            DashboardApp.ThemeChoice(name: name, load: { ThemeLoader.load(source) })
        }
        if choices.isEmpty { choices = [DashboardApp.ThemeChoice(name: "built-in", theme: .builtIn)] }
        let wanted = requested ?? "dark"
        guard let index = choices.firstIndex(where: { $0.name == wanted }) else {
            guard let requested else { return (choices, 0, []) }
            throw CommandFailure(
                message: "unknown theme \"\(requested)\" (available: \(choices.map(\.name).joined(separator: ", ")))",
                status: ExitStatus.usage)
        }
        switch choices[index].load() {
        case .success(let (theme, warnings)):
            choices[index] = DashboardApp.ThemeChoice(name: wanted, theme: theme)
            return (choices, index, warnings)
        case .failure(let error):
            throw CommandFailure(message: "\(error)", status: ExitStatus.usage)
        }
    }

    static func runDashboard(
        monitor: Monitor, requested: String?, configFile: String, otherClients: DashboardApp.OtherClientsSource? = nil
    ) async throws {
        let environment = ProcessInfo.processInfo.environment
        let paths = ThemeLoader.defaultSearchPaths(
            environment: environment, executablePath: CommandLine.arguments[0])
        let (choices, index, warnings) = try choices(
            available: ThemeLoader.available(searchPaths: paths), requested: requested)
        for warning in warnings { Console.warn(warning.description) }
        let app = DashboardApp(
            monitor: monitor, themes: choices, themeIndex: index,
            noColor: ThemeLoader.noColorRequested(environment: environment),
            configFile: configFile, otherClients: otherClients,
            notice: ThemeWarning.summary(warnings, theme: choices[index].name))
        do {
            try await app.run()
            // Printed before the screen took over, so gone from view: again, where it stays.
            for warning in warnings { Console.warn(warning.description) }
        } catch let error as TerminalError {
            throw CommandFailure(message: error.description, status: ExitStatus.usage)
        }
    }
}
