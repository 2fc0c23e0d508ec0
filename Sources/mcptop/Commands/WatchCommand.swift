import ArgumentParser
import Config
import Foundation
import MCPClient
import Monitor
import MonitorMetrics
import MonitorOTLP
import Support
import Synchronization

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Keep every configured server connected and report what happens, without a screen.",
        discussion: """
            Connects, refreshes tokens before they expire, checks health, reconnects with backoff. \
            Prints one line per event (JSON lines with --json) and a summary line per server at the \
            end. Ctrl-C, SIGTERM or the end of --duration stop it within a few seconds, even when a \
            server does not answer: connects and requests under way are cancelled, and a refresh \
            under way gets up to 2 s to finish and be stored. A second Ctrl-C exits at once.

            Exit status 2 when any watched server was never connected, or was not connected at the \
            end (backoff, needsLogin, failed, still connecting), or was skipped because its config \
            entry cannot be used (an unset ${VAR}); its summary line says which. So CI can run \
            `mcptop watch --duration 30 --json` as a health check.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON lines.")
    var json = false

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
    var duration: Double?

    @Option(name: .customLong("server"), help: ArgumentHelp("Watch only this server (repeatable).", valueName: "name"))
    var servers: [String] = []

    @Option(
        name: .customLong("health-interval"),
        help: ArgumentHelp("Seconds between health checks of a connected server.", valueName: "seconds"))
    var healthInterval: Double = 30

    @Option(
        name: .customLong("metrics"),
        help: ArgumentHelp(
            "Serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464).", valueName: "host:port"))
    var metrics: String?

    func validate() throws {
        if let duration { try SecondsOption.validate(duration, option: "--duration") }
        try SecondsOption.validate(healthInterval, option: "--health-interval")
        if let metrics, MetricsAddress(metrics) == nil {
            throw ValidationError("--metrics: expected HOST:PORT, got \"\(metrics)\"")
        }
    }

    func run() async throws {
        let configuration = try global.loadConfiguration()
        var chosen = configuration.servers
        if !servers.isEmpty {
            for name in servers where configuration.server(named: name) == nil {
                throw CommandFailure(message: "unknown server \"\(name)\"", status: ExitStatus.usage)
            }
            chosen = chosen.filter { servers.contains($0.name) }
        }
        let printer = EventPrinter(json: json)
        let named = chosen
        for server in chosen {
            if let problem = server.problem {
                Console.warn("\(configuration.file): \(server.name): \(problem) (not watched)")
            }
        }
        chosen = chosen.filter { $0.problem == nil }
        guard !chosen.isEmpty else {
            guard !named.isEmpty else {
                throw CommandFailure(message: "no servers to watch in \(configuration.file)", status: ExitStatus.usage)
            }
            // Every server named is skipped: nothing to watch, and not healthy.
            try Self.report(verdicts: named.map { ($0.name, .skipped($0.problem ?? ""), nil) }, printer: printer)
            return
        }
        var options = MonitorOptions()
        options.healthInterval = healthInterval
        options.bridgeFolder = global.bridgeFolder
        options.reportsRequests = OTLPExport.tracesRequests(ProcessInfo.processInfo.environment)
        let monitor = Monitor(specs: chosen.map(\.spec), store: try global.store(), options: options)
        let events = monitor.hub.subscribe(buffer: 4096)
        let seen = Mutex<[String: (everConnected: Bool, last: ConnectionState)]>([:])
        let reader = Task {
            for await event in events {
                if case .stateChanged(let state) = event.kind, state.phase != .idle {
                    seen.withLock { seen in
                        let connected = WatchVerdict.connectedPhases.contains(state.phase)
                        seen[event.server] = ((seen[event.server]?.everConnected ?? false) || connected, state)
                    }
                }
                printer.print(event)
            }
        }
        let exporter = try await startMetrics(monitor)
        let telemetry = Telemetry.start(monitor: monitor)
        monitor.start()

        let stopSignal = StopSignal()
        if let duration {
            Task {
                try? await Task.sleep(for: BoundedSeconds.duration(duration))
                stopSignal.fire()
            }
        }
        await stopSignal.wait()
        // Monitor.stop() gives up on a stuck supervisor after its grace; should anything else
        // hang (the metrics listener), the process still ends.
        stopSignal.exitUnlessStopped(within: 5)
        await monitor.stop()
        await telemetry?.stop()
        await exporter?.stop()
        await reader.value
        stopSignal.stopped()

        let verdicts = named.map { server -> (String, WatchVerdict, ConnectionState?) in
            if let problem = server.problem { return (server.name, .skipped(problem), nil) }
            let record = seen.withLock { $0[server.name] }
            return (
                server.name, WatchVerdict(everConnected: record?.everConnected ?? false, last: record?.last),
                record?.last
            )
        }
        try Self.report(verdicts: verdicts, printer: printer)
    }

    /// Prints a summary line per server, then fails with exit 2 naming the servers that
    /// were not healthy.
    private static func report(verdicts: [(String, WatchVerdict, ConnectionState?)], printer: EventPrinter) throws {
        for (name, verdict, state) in verdicts {
            printer.summary(server: name, verdict: verdict, state: state)
        }
        let unhealthy = verdicts.compactMap { name, verdict, _ in verdict.problem.map { "\(name) (\($0))" } }
        if !unhealthy.isEmpty {
            throw CommandFailure(
                message: "not healthy: \(unhealthy.joined(separator: ", "))", status: ExitStatus.connection)
        }
    }

    /// Serves `--metrics`, when given, before the first event.
    private func startMetrics(_ monitor: Monitor) async throws -> MetricsExporter? {
        guard let metrics, let address = MetricsAddress(metrics) else { return nil }
        let exporter = MetricsExporter(monitor: monitor)
        do {
            let port = try await exporter.serve(host: address.host, port: address.port)
            Console.note("metrics on http://\(address.urlHost):\(port)/metrics")
        } catch {
            await exporter.stop()
            throw CommandFailure(message: "--metrics: \(error)", status: ExitStatus.usage)
        }
        return exporter
    }
}
