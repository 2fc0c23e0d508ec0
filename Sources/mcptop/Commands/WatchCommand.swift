import ArgumentParser
import Config
import Dispatch
import Foundation
import MCPClient
import Monitor
import MonitorMetrics
import OAuth
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
                Terminal.warn("\(configuration.file): \(server.name): \(problem) (not watched)")
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
        let monitor = Monitor(specs: chosen.map(\.spec), store: global.store, options: options)
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
            Terminal.note("metrics on http://\(address.urlHost):\(port)/metrics")
        } catch {
            await exporter.stop()
            throw CommandFailure(message: "--metrics: \(error)", status: ExitStatus.usage)
        }
        return exporter
    }
}

/// `--metrics HOST:PORT`: `127.0.0.1:9464`, `localhost:0`, `[::1]:9464`, `0.0.0.0:9464`.
struct MetricsAddress: Equatable {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" "), host.contains(":") == text[..<colon].hasPrefix("["),
            let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        self.host = host
        self.port = port
    }

    /// The host as a URL writes it: IPv6 addresses in brackets.
    var urlHost: String { host.contains(":") ? "[\(host)]" : host }
}

extension ConfiguredServer {
    var spec: ServerSpec {
        ServerSpec(
            endpoint: endpoint, oauth: oauth, usesOAuth: httpURL != nil && !hasStaticAuthorization, problem: problem,
            displayTarget: displayTarget)
    }
}

/// Waits for SIGINT, SIGTERM or `fire()`, whichever comes first. A signal after that (a
/// second Ctrl-C while stopping) exits at once, with 130 for SIGINT and 143 for SIGTERM.
/// Unchecked Sendable: `sources` is set once in init and only kept alive; all mutable state is
/// behind the mutex.
final class StopSignal: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let state = Mutex<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
    private let done = OnceFlag()

    init() {
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            sources.append(source)
        }
        self.sources = sources
        for (source, number) in zip(sources, [SIGINT, SIGTERM]) {
            source.setEventHandler { [weak self] in self?.received(number) }
            source.resume()
        }
    }

    private func received(_ number: Int32) {
        if state.withLock({ $0.fired }) {
            FileHandle.standardError.write(Data("mcptop: stopped at once on a second signal\n".utf8))
            exit(number == SIGTERM ? ExitStatus.terminated : ExitStatus.interrupted)
        }
        fire()
    }

    /// Stopping has begun: should it not end within `seconds`, the process exits with status 2
    /// (nothing can be said about the servers then).
    func exitUnlessStopped(within seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [done] in
            guard !done.value else { return }
            FileHandle.standardError.write(
                Data("mcptop: watch did not stop within \(NumberText.fixed(seconds, digits: 0)) s; exiting\n".utf8))
            exit(ExitStatus.connection)
        }
    }

    /// Stopping has ended.
    func stopped() { done.set() }

    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiter = continuation
                return false
            }
            if fired { continuation.resume() }
        }
    }
}

/// Turns monitor events into lines for people or JSON lines for programs. Never prints a
/// secret: tokens appear as their last 4 characters.
struct EventPrinter: Sendable {
    let json: Bool

    /// One line straight to stdout: a program reading `watch --json` through a pipe sees each
    /// event when it happens, not when a buffer fills.
    private static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }

    private static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    func print(_ event: MonitorEvent) {
        guard let (name, text, fields) = describe(event) else { return }
        if json {
            var object: JSONValue = [
                "time": .string(Self.iso(event.time)), "server": .string(event.server), "event": .string(name),
            ]
            for (key, value) in fields { object[key] = value }
            Self.emit(object.serialized())
        } else {
            let label = name.padding(toLength: 9, withPad: " ", startingAt: 0)
            Self.emit("\(Self.time(event.time))  \(event.server)  \(label) \(text)")
        }
    }

    /// The last line about a server: its last state and, when it was not healthy, why
    /// ("never connected: …", "skipped: …").
    func summary(server: String, verdict: WatchVerdict, state: ConnectionState?) {
        var phase = state?.phase.rawValue ?? "idle"
        var reason = state?.reason ?? "never started"
        if case .skipped(let problem) = verdict {
            phase = "skipped"
            reason = problem
        }
        if let problem = verdict.problem { reason = "\(problem): \(reason)" }
        if json {
            var object: JSONValue = [
                "event": "summary", "server": .string(server), "state": .string(phase), "reason": .string(reason),
                "healthy": .bool(verdict.isHealthy),
            ]
            if let problem = verdict.problem { object["problem"] = .string(problem) }
            Self.emit(object.serialized())
        } else {
            Self.emit("summary   \(server)  \(phase)  \(reason)")
        }
    }

    private func describe(_ event: MonitorEvent) -> (String, String, [(String, JSONValue)])? {
        switch event.kind {
        case .stateChanged(let state):
            var fields: [(String, JSONValue)] = [
                ("state", .string(state.phase.rawValue)), ("reason", .string(state.reason)),
            ]
            var text = "\(state.phase.rawValue): \(state.reason)"
            if let retryAt = state.retryAt {
                let seconds = max(0, retryAt.timeIntervalSince(event.time))
                fields.append(("retryInSeconds", .double((seconds * 10).rounded() / 10)))
                text = "\(state.phase.rawValue): retry in \(Duration.text(seconds)) — \(state.reason)"
            }
            return ("state", text, fields)
        case .tokenChanged(let summary):
            guard let summary else { return ("token", "login forgotten", [("loggedIn", false)]) }
            var fields: [(String, JSONValue)] = [
                ("refreshToken", .bool(summary.hasRefreshToken)), ("refreshCount", .int(Int64(summary.refreshCount))),
            ]
            var text = ""
            if let fingerprint = summary.accessTokenFingerprint {
                fields.append(("accessTokenFingerprint", .string(fingerprint)))
                text += "access token …\(fingerprint)"
            }
            if let expiry = summary.expiresAt {
                fields.append(("expiresAt", .string(Self.iso(expiry))))
                text += ", expires in \(Duration.text(expiry.timeIntervalSince(event.time)))"
            }
            if let reason = summary.unusableReason {
                fields.append(("needsLogin", .string(reason)))
                text += ", needs login: \(reason)"
            }
            return ("token", text, fields)
        case .refreshed(let outcome):
            switch outcome {
            case .success(let report):
                return ("refresh", report.description, [("ok", true), ("result", .string(report.description))])
            case .failure(let error):
                return ("refresh", "failed: \(error)", [("ok", false), ("error", .string(error.description))])
            }
        case .callStarted(let call):
            return (
                "call", "#\(call.id) \(call.tool) \(call.argumentsDigest)",
                [("id", .int(Int64(call.id))), ("tool", .string(call.tool)), ("phase", "started")]
            )
        case .callProgress(let call):
            guard let progress = call.lastProgress else { return nil }
            let total = progress.total.map { "/\(JSONValue.format($0))" } ?? ""
            return (
                "progress", "#\(call.id) \(JSONValue.format(progress.progress))\(total) \(progress.message ?? "")",
                [("id", .int(Int64(call.id))), ("progress", .double(progress.progress))]
            )
        case .callFinished(let call):
            let duration = call.duration.map { NumberText.fixed($0 * 1000, digits: 0) + " ms" } ?? ""
            return (
                "call", "#\(call.id) \(call.tool) \(call.outcome.rawValue) \(duration) \(call.detail ?? "")",
                [
                    ("id", .int(Int64(call.id))), ("tool", .string(call.tool)),
                    ("outcome", .string(call.outcome.rawValue)), ("seconds", .double(call.duration ?? 0)),
                ]
            )
        case .authStep(let step):
            return ("auth", step.description, [("action", .string(step.action)), ("outcome", .string(step.outcome))])
        case .toolsListed(let count):
            return ("tools", "\(count) tool\(count == 1 ? "" : "s")", [("count", .int(Int64(count)))])
        case .login(let update):
            let (outcome, text): (String, String)
            switch update {
            case .waitingForBrowser(let url, _): (outcome, text) = ("waiting", "open to log in: \(url)")
            case .succeeded(let detail): (outcome, text) = ("ok", detail)
            case .failed(let detail): (outcome, text) = ("failed", "failed: \(detail)")
            case .cancelled: (outcome, text) = ("cancelled", "cancelled; the stored login is unchanged")
            case .notNeeded(let detail): (outcome, text) = ("notNeeded", detail)
            }
            return ("login", text, [("outcome", .string(outcome)), ("message", .string(text))])
        case .sessionRenewed(let text):
            return ("session", text, [("message", .string(text))])
        case .log(let text):
            return ("log", text, [("message", .string(text))])
        }
    }
}
