import Foundation
import Monitor
import OAuth

#if OTLP
    import Logging
    import OTel
    import ServiceLifecycle
    import Tracing
#endif

/// Exports what a monitor sees as OpenTelemetry traces over OTLP/HTTP (protobuf), to the
/// endpoint of the standard `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
/// variables (the other `OTEL_*` variables apply as swift-otel reads them).
///
/// - A span per finished tool call (the monitor's own and those made through `proxy`/`serve`),
///   named `tools/call {tool}` after the MCP semantic conventions, with `mcp.method.name`,
///   `gen_ai.tool.name`, `gen_ai.operation.name`, `mcp.protocol.version` when known, and
///   `error.type` for a failed call. No session id and no arguments.
/// - A span per OAuth request (discovery, registration, code exchange, refresh): endpoint
///   host, grant type, HTTP status and outcome; never a token, code, verifier or secret.
///
/// Built only with the `OTLP` package trait (`swift build --traits OTLP`); without it, or when
/// no endpoint variable is set, nothing is started and nothing costs.
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

    /// The variables that turn export on.
    public static let endpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]

    /// Whether the environment asks for OTLP export.
    public static func isRequested(_ environment: [String: String]) -> Bool {
        endpointVariables.contains { environment[$0]?.isEmpty == false }
    }

    #if OTLP
        private let group: ServiceGroup
        private let running: Task<Void, Never>
        private let follower: Task<Void, Never>

        private init(group: ServiceGroup, running: Task<Void, Never>, follower: Task<Void, Never>) {
            self.group = group
            self.running = running
            self.follower = follower
        }
    #endif

    /// Starts exporting `monitor`'s events when the environment asks for it (nil otherwise).
    /// Call before `monitor.start()`.
    public static func start(monitor: Monitor, environment: [String: String]) throws(ExportError) -> OTLPExport? {
        guard isRequested(environment) else { return nil }
        #if OTLP
            var configuration = OTel.Configuration.default
            configuration.serviceName = "mcptop"
            configuration.logs.enabled = false
            configuration.metrics.enabled = false
            configuration.diagnosticLogLevel = .error
            // watch gives its whole stop five seconds; OTEL_EXPORTER_OTLP_TIMEOUT still wins.
            configuration.traces.otlpExporter.timeout = .seconds(2)
            let observability: any Service
            do {
                observability = try OTel.bootstrap(configuration: configuration, environment: environment)
            } catch {
                throw ExportError(description: "OTLP export: \(error)")
            }
            var logger = Logger(label: "mcptop.otlp")
            logger.logLevel = .critical
            let group = ServiceGroup(services: [observability], gracefulShutdownSignals: [], logger: logger)
            let running = Task<Void, Never> { try? await group.run() }
            let events = monitor.hub.subscribe(buffer: 1 << 14)
            let follower = Task {
                var spans = SpanMaker(monitor: monitor)
                for await event in events { await spans.record(event) }
            }
            return OTLPExport(group: group, running: running, follower: follower)
        #else
            let variables = endpointVariables.joined(separator: " or ")
            throw ExportError(
                description:
                    "\(variables) is set, but this mcptop was built without OTLP export (swift build --traits OTLP)")
        #endif
    }

    /// Stops following events and sends what is left (bounded by the exporter's timeout).
    public func stop() async {
        #if OTLP
            follower.cancel()
            await group.triggerGracefulShutdown()
            await running.value
        #endif
    }
}

#if OTLP
    /// Turns monitor events into finished spans, with their own start and end times.
    struct SpanMaker {
        let monitor: Monitor
        /// The negotiated revision of each server, read after it listed its tools.
        private var revisions: [String: String] = [:]

        init(monitor: Monitor) {
            self.monitor = monitor
        }

        mutating func record(_ event: MonitorEvent) async {
            switch event.kind {
            case .toolsListed:
                let info = await monitor.supervisor(named: event.server)?.snapshot().serverInfo
                revisions[event.server] = info?.protocolVersion
            case .callFinished(let call):
                toolCall(call, server: event.server)
            case .authStep(let step):
                if let exchange = step.exchange { oauthRequest(exchange, at: step.time, server: event.server) }
            default:
                break
            }
        }

        private func toolCall(_ call: CallRecord, server: String) {
            guard let duration = call.duration else { return }
            let span = startSpan(
                "tools/call \(call.tool)", at: Self.instant(call.startedAt), context: .topLevel, ofKind: .client)
            span.attributes["mcp.method.name"] = "tools/call"
            span.attributes["gen_ai.tool.name"] = call.tool
            span.attributes["gen_ai.operation.name"] = "execute_tool"
            if let revision = revisions[server] { span.attributes["mcp.protocol.version"] = revision }
            span.attributes["mcptop.server.name"] = server
            if let bridge = call.bridge {
                span.attributes["mcptop.client.name"] = String(bridge.client.prefix(64))
                span.attributes["mcptop.bridge"] = bridge.via
            }
            switch call.outcome {
            case .ok, .running:
                break
            case .isError:
                span.attributes["error.type"] = "tool_error"
                span.setStatus(SpanStatus(code: .error))
            case .protocolError, .authError, .cancelled:
                span.attributes["error.type"] = call.outcome.rawValue
                span.setStatus(SpanStatus(code: .error))
            }
            span.end(at: Self.instant(call.startedAt.addingTimeInterval(duration)))
        }

        private func oauthRequest(_ exchange: AuthStep.Exchange, at end: Date, server: String) {
            let start = end.addingTimeInterval(-(exchange.seconds ?? 0))
            let span = startSpan(
                "oauth \(exchange.purpose)", at: Self.instant(start), context: .topLevel, ofKind: .client)
            span.attributes["mcptop.server.name"] = server
            if let host = exchange.host { span.attributes["server.address"] = host }
            switch exchange.purpose {
            case "refresh": span.attributes["mcptop.oauth.grant_type"] = "refresh_token"
            case "code exchange": span.attributes["mcptop.oauth.grant_type"] = "authorization_code"
            default: break
            }
            if let status = exchange.status { span.attributes["http.response.status_code"] = status }
            let failure: String?
            if exchange.cancelled {
                failure = "cancelled"
            } else if exchange.status == nil {
                failure = "network"
            } else if let error = exchange.error {
                failure = error
            } else if let status = exchange.status, status >= 400 {
                failure = String(status)
            } else {
                failure = nil
            }
            span.attributes["mcptop.oauth.outcome"] = failure == nil ? "ok" : "failed"
            if let failure {
                span.attributes["error.type"] = failure
                span.setStatus(SpanStatus(code: .error))
            }
            span.end(at: Self.instant(end))
        }

        private static func instant(_ date: Date) -> DefaultTracerClock.Instant {
            DefaultTracerClock.Instant(nanosecondsSinceEpoch: UInt64(max(0, date.timeIntervalSince1970) * 1e9))
        }
    }
#endif
