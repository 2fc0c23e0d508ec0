import Foundation
import MCPClient
import Monitor
import OAuth

#if OTLP
    import Tracing

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
            case .request(let request):
                self.request(request, server: event.server)
            case .authStep(let step):
                OAuthSpan.record(step, server: event.server, context: .topLevel)
            default:
                break
            }
        }

        /// A request of the monitor's own other than a tool call (the handshake, listings,
        /// health checks): `{method}` (MCP semantic conventions: no target for these).
        private func request(_ request: RequestRecord, server: String) {
            let span = startSpan(
                request.method, at: SpanClock.instant(request.startedAt), context: .topLevel, ofKind: .client)
            span.attributes["mcp.method.name"] = request.method
            span.attributes["mcp.protocol.version"] = request.protocolVersion
            span.attributes["mcptop.server.name"] = server
            if let errorType = request.errorType {
                span.attributes["error.type"] = errorType
                span.setStatus(SpanStatus(code: .error))
            }
            span.end(at: SpanClock.instant(request.startedAt.addingTimeInterval(request.seconds)))
        }

        private func toolCall(_ call: CallRecord, server: String) {
            guard let duration = call.duration else { return }
            let span = startSpan(
                "tools/call \(call.tool)", at: SpanClock.instant(call.startedAt), context: .topLevel, ofKind: .client)
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
            span.end(at: SpanClock.instant(call.startedAt.addingTimeInterval(duration)))
        }

    }

    /// A finished span of one OAuth request (discovery, registration, code exchange, refresh):
    /// endpoint host, grant type, HTTP status and outcome; never a token, code, verifier or
    /// secret.
    enum OAuthSpan {
        /// Records `step`'s request, if it was one, as a client span under `context`: the
        /// task-local context where the request was made (the MCP operation that needed it),
        /// or top level.
        static func record(_ step: AuthStep, server: String, context: ServiceContext) {
            guard let exchange = step.exchange else { return }
            let start = step.time.addingTimeInterval(-(exchange.seconds ?? 0))
            let span = startSpan(
                "oauth \(exchange.purpose)", at: SpanClock.instant(start), context: context, ofKind: .client)
            span.attributes["mcptop.server.name"] = server
            if let host = exchange.host { span.attributes["server.address"] = host }
            if let grant = grantType(exchange.purpose) { span.attributes["mcptop.oauth.grant_type"] = grant }
            if let status = exchange.status { span.attributes["http.response.status_code"] = status }
            let failure = failure(of: exchange)
            span.attributes["mcptop.oauth.outcome"] = failure == nil ? "ok" : "failed"
            if let failure {
                span.attributes["error.type"] = failure
                span.setStatus(SpanStatus(code: .error))
            }
            span.end(at: SpanClock.instant(step.time))
        }

        /// The grant a token request used, from what it was for.
        static func grantType(_ purpose: String) -> String? {
            switch purpose {
            case "refresh": return "refresh_token"
            case "code exchange": return "authorization_code"
            case "device code poll": return "urn:ietf:params:oauth:grant-type:device_code"
            default: return nil
            }
        }

        /// Why the request failed (`cancelled`, `network`, the OAuth error code, the HTTP
        /// status), nil when it did not.
        static func failure(of exchange: AuthStep.Exchange) -> String? {
            if exchange.cancelled { return "cancelled" }
            guard let status = exchange.status else { return "network" }
            if let error = exchange.error { return error }
            return status >= 400 ? String(status) : nil
        }

    }

    /// Spans of what already happened start and end at the times it did.
    enum SpanClock {
        static func instant(_ date: Date) -> DefaultTracerClock.Instant {
            DefaultTracerClock.Instant(nanosecondsSinceEpoch: UInt64(max(0, date.timeIntervalSince1970) * 1e9))
        }
    }
#endif
