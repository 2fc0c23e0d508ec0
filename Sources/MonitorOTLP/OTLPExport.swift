import Bridge
import Foundation
import Monitor
import MonitorMetrics
import OAuth

#if OTLP
    import CoreMetrics
    import Logging
    import OTel
    import ServiceLifecycle
    import Tracing
#endif

/// Exports what mcptop sees as OpenTelemetry traces and metrics over OTLP/HTTP (protobuf), to
/// the endpoints of the standard variables: `OTEL_EXPORTER_OTLP_ENDPOINT` turns both on,
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` and `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` one each (the
/// other `OTEL_*` variables, such as `OTEL_METRIC_EXPORT_INTERVAL`, apply as swift-otel reads
/// them).
///
/// - `watch` (``start(monitor:environment:warn:)``): a span per finished tool call (the
///   monitor's own and those made through `proxy`/`serve`) and per OAuth request
///   (``SpanMaker``); the metric families of `watch --metrics` (``MetricsFeed``).
/// - `proxy` and `serve` (``start(environment:warn:)``): a server span per request of a client
///   (``tracing(via:)``), with the OAuth requests it needed (a refresh) as its children and
///   the others (a refresh made on no client's behalf) at the top level
///   (``oauthSteps(server:)``); and the same metric families as `watch` of what the bridge
///   sees, told as the monitor's events (``track(server:token:)``, ``record(_:)``,
///   ``record(bridged:)``): its clients' calls, its token managers' refreshes, failures and
///   logins. A call made through a bridge is counted by the bridge and by a `watch` of the
///   same machine alike, each in its own process's series.
///
/// Never a token, code, verifier, secret, session id or argument. Built only with the `OTLP`
/// package trait (`swift build --traits OTLP`); without it, or when no endpoint variable is
/// set, nothing is started and nothing costs. Nothing is written to stdout (`proxy` speaks
/// the protocol there): swift-otel's own messages go to stderr, and an exporter variable
/// naming another exporter than `otlp` (`console` writes to stdout) is ignored with a warning.
public final class OTLPExport: Sendable {
    public struct ExportError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Whether this build has OTLP export (the `OTLP` trait).
    public static var isAvailable: Bool {
        #if OTLP
            return true
        #else
            return false
        #endif
    }

    /// The variables that turn export on: every signal, traces only, metrics only.
    static let everySignal = "OTEL_EXPORTER_OTLP_ENDPOINT"
    static let tracesOnly = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    static let metricsOnly = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
    public static var endpointVariables: [String] { [everySignal, tracesOnly, metricsOnly] }

    /// The variables that choose an exporter: mcptop honours `otlp` and `none` only.
    static let exporterVariables = ["OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER"]

    /// Whether the environment asks for OTLP export of any signal.
    public static func isRequested(_ environment: [String: String]) -> Bool {
        wantsTraces(environment) || wantsMetrics(environment)
    }

    /// Whether spans are to be made of the monitor's own requests (handshakes, listings,
    /// pings): a build with the `OTLP` trait asked to export traces.
    public static func tracesRequests(_ environment: [String: String]) -> Bool {
        #if OTLP
            return wantsTraces(environment) && environment["OTEL_TRACES_EXPORTER"]?.lowercased() != "none"
        #else
            return false
        #endif
    }

    static func wantsTraces(_ environment: [String: String]) -> Bool {
        [everySignal, tracesOnly].contains { environment[$0]?.isEmpty == false }
    }

    static func wantsMetrics(_ environment: [String: String]) -> Bool {
        [everySignal, metricsOnly].contains { environment[$0]?.isEmpty == false }
    }

    /// `environment` without exporter choices mcptop does not honour, and a warning naming
    /// each one dropped.
    static func honoured(_ environment: [String: String]) -> (environment: [String: String], warnings: [String]) {
        var kept = environment
        var warnings: [String] = []
        for variable in exporterVariables {
            guard let value = environment[variable], !["otlp", "none", ""].contains(value.lowercased()) else {
                continue
            }
            kept[variable] = nil
            warnings.append("\(variable)=\(value) ignored: mcptop exports over OTLP only (stdout is its own)")
        }
        return (kept, warnings)
    }

    #if OTLP
        private let group: ServiceGroup
        private let running: Task<Void, Never>
        private let follower: Task<Void, Never>?
        private let metrics: MetricsFeed?
        private let traces: Bool

        private init(
            group: ServiceGroup, running: Task<Void, Never>, follower: Task<Void, Never>?, metrics: MetricsFeed?,
            traces: Bool
        ) {
            self.group = group
            self.running = running
            self.follower = follower
            self.metrics = metrics
            self.traces = traces
        }

        /// Bootstraps swift-otel's tracer and metrics factory (process-wide), those asked for,
        /// and runs their exporters.
        private static func bootstrap(
            environment: [String: String], traces: Bool, metrics: Bool, warn: (String) -> Void
        ) throws(ExportError) -> (ServiceGroup, Task<Void, Never>) {
            let (environment, warnings) = honoured(environment)
            warnings.forEach(warn)
            var configuration = OTel.Configuration.default
            configuration.serviceName = "mcptop"
            configuration.logs.enabled = false
            configuration.traces.enabled = traces
            configuration.metrics.enabled = metrics
            configuration.metrics.valueHistogramBuckets = MetricsFeed.histogramBuckets
            configuration.diagnosticLogLevel = .error
            // A command gives its whole stop five seconds; OTEL_EXPORTER_OTLP_TIMEOUT still wins.
            configuration.traces.otlpExporter.timeout = .seconds(2)
            configuration.metrics.otlpExporter.timeout = .seconds(2)
            let observability: any Service
            do {
                observability = try OTel.bootstrap(configuration: configuration, environment: environment)
            } catch {
                throw ExportError(description: "OTLP export: \(error)")
            }
            var logger = Logger(label: "mcptop.otlp")
            logger.logLevel = .critical
            let group = ServiceGroup(services: [observability], gracefulShutdownSignals: [], logger: logger)
            return (group, Task<Void, Never> { try? await group.run() })
        }
    #endif

    /// Starts exporting `monitor`'s events when the environment asks for it (nil otherwise).
    /// Call before `monitor.start()`.
    public static func start(
        monitor: Monitor, environment: [String: String], warn: (String) -> Void
    ) throws(ExportError) -> OTLPExport? {
        guard isRequested(environment) else { return nil }
        #if OTLP
            let traces = wantsTraces(environment)
            let metrics = wantsMetrics(environment)
            let (group, running) = try bootstrap(
                environment: environment, traces: traces, metrics: metrics, warn: warn)
            var follower: Task<Void, Never>?
            if traces {
                let events = monitor.hub.subscribe(buffer: 1 << 14)
                follower = Task {
                    var spans = SpanMaker(monitor: monitor)
                    for await event in events { await spans.record(event) }
                }
            }
            let feed = metrics ? MetricsFeed(monitor: monitor, factory: MetricsSystem.factory) : nil
            return OTLPExport(group: group, running: running, follower: follower, metrics: feed, traces: traces)
        #else
            throw unavailable
        #endif
    }

    /// Starts the exporters of a bridge (`proxy`, `serve`) the environment asks for (nil when
    /// it asks for none): spans come from ``tracing(via:)`` and ``oauthSteps(server:)``, metrics
    /// from ``record(_:)``.
    public static func start(environment: [String: String], warn: (String) -> Void) throws(ExportError)
        -> OTLPExport?
    {
        guard isRequested(environment) else { return nil }
        #if OTLP
            let traces = wantsTraces(environment)
            let metrics = wantsMetrics(environment)
            let (group, running) = try bootstrap(
                environment: environment, traces: traces, metrics: metrics, warn: warn)
            let feed = metrics ? MetricsFeed(factory: MetricsSystem.factory) : nil
            return OTLPExport(group: group, running: running, follower: nil, metrics: feed, traces: traces)
        #else
            throw unavailable
        #endif
    }

    private static var unavailable: ExportError {
        ExportError(
            description:
                "\(endpointVariables.joined(separator: " or ")) is set, but this mcptop was built without OTLP export (swift build --traits OTLP)"
        )
    }

    /// The tracer of a bridge's client requests (`via`: `proxy` or `serve`); nil when traces
    /// are not exported.
    public func tracing(via: String) -> (any BridgeTracing)? {
        #if OTLP
            return traces ? BridgeSpans(via: via) : nil
        #else
            return nil
        #endif
    }

    /// Makes a span of each OAuth request of `server`'s token manager, a child of the span of
    /// the task that made it (the client request that needed a refresh), or a root (nothing
    /// when traces are not exported).
    public func oauthSteps(server: String) -> AuthStepHandler {
        #if OTLP
            guard traces else { return { _ in } }
            return { step in OAuthSpan.record(step, server: server, context: .current ?? .topLevel) }
        #else
            return { _ in }
        #endif
    }

    /// Starts counting a bridge's `server` from its stored login as it is now (metrics).
    public func track(server: String, token: TokenSummary?) {
        #if OTLP
            metrics?.track(server: server, token: token)
        #endif
    }

    /// What a bridge saw of a server, as the monitor would have published it (metrics).
    public func record(_ event: MonitorEvent) {
        #if OTLP
            metrics?.record(event)
        #endif
    }

    /// What a bridge told its dashboards (a call its client made), counted as `watch` counts it.
    public func record(bridged event: BridgeActivity.Event) {
        if let event = MonitorEvent(bridged: event) { record(event) }
    }

    /// Stops following events and sends what is left (bounded by the exporters' timeout).
    public func stop() async {
        #if OTLP
            follower?.cancel()
            await metrics?.stop()
            await group.triggerGracefulShutdown()
            await running.value
        #endif
    }
}
