import Foundation
import Hummingbird
import LocalServer
import Monitor
import OAuth
import Prometheus
import Synchronization

/// Serves a monitor's servers as Prometheus metrics: GET /metrics in the text exposition
/// format (version 0.0.4). The metrics and their labels are listed on ``MetricsRecorder``.
///
/// Create it and call ``serve(host:port:)`` before `monitor.start()`: it subscribes to the
/// monitor's events when created and first reads every server's stored login, so refreshes
/// already recorded there are not counted and the token countdown is known from the start.
///
/// Each server has thirteen series from the start (nine state gauges, two refresh counters,
/// needs-login, session renewals) and about twelve more once its login is known (refresh
/// failures by reason, rotations, expired tokens, the refresh token's gauges).
/// swift-prometheus 2.4.1 copies a metric family for every new series, so setting them up is
/// quadratic in the servers: a few milliseconds for dozens, seconds for 1000.
public final class MetricsExporter: Sendable {
    public struct ServeError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The registry behind /metrics, for callers that add collectors of their own.
    public let registry: PrometheusCollectorRegistry
    private let recorder: MetricsRecorder
    /// Reads the servers' current state and stored logins, then follows the events.
    private let follower: Task<Void, Never>
    private let seeded: Task<Void, Never>
    /// The HTTP server, while serving.
    private let server = Mutex<LocalServer?>(nil)

    /// `now` is the clock the token countdown is read from at each scrape.
    public init(monitor: Monitor, now: @escaping @Sendable () -> Date = { Date() }) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        recorder = MetricsRecorder(series: PrometheusSeries(registry: registry), now: now)
        (seeded, follower) = recorder.follow(monitor)
    }

    /// What GET /metrics answers now.
    public func exposition() -> String {
        String(decoding: Self.exposition(recorder, registry), as: UTF8.self)
    }

    /// The text exposition format, with the token countdowns brought up to now.
    private static func exposition(_ recorder: MetricsRecorder, _ registry: PrometheusCollectorRegistry) -> [UInt8] {
        recorder.updateCountdowns()
        return registry.emitToBuffer()
    }

    /// Starts answering GET /metrics on `host:port` (`port` 0 picks a free one) and returns the
    /// bound port. Once per exporter.
    public func serve(host: String, port: Int) async throws -> Int {
        await seeded.value
        let router = Router()
        router.get("metrics") { [recorder, registry] _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.exposition(recorder, registry))))
        }
        let started = server.withLock { server -> LocalServer? in
            if server != nil { return nil }
            server = LocalServer(router: router, host: host, port: port, label: "mcptop.metrics")
            return server
        }
        guard let started else { throw ServeError(description: "already serving metrics") }
        do {
            return try await started.listening()
        } catch {
            server.withLock { $0 = nil }
            await started.stop()
            throw ServeError(description: "cannot serve metrics on \(host):\(port): \(error)")
        }
    }

    /// Stops serving and following events.
    public func stop() async {
        let running = server.withLock { server -> LocalServer? in
            defer { server = nil }
            return server
        }
        follower.cancel()
        await running?.stop()
    }
}
