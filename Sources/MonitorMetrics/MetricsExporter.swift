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

    /// Large, so a burst (1000 servers connecting at once) loses no state change: a lost one
    /// would leave a state gauge wrong until the server's next change.
    static let eventBuffer = 1 << 16

    private let recorder: MetricsRecorder
    /// Reads the servers' current state and stored logins, then follows the events.
    private let follower: Task<Void, Never>
    private let seeded: Task<Void, Never>
    /// The HTTP server, while serving.
    private let server = Mutex<LocalServer?>(nil)

    /// `now` is the clock the token countdown is read from at each scrape.
    public init(monitor: Monitor, now: @escaping @Sendable () -> Date = { Date() }) {
        let recorder = MetricsRecorder(now: now)
        self.recorder = recorder
        let events = monitor.hub.subscribe(buffer: Self.eventBuffer)
        let supervisors = monitor.supervisors
        let seeded = Task {
            for supervisor in supervisors {
                let stored = try? await supervisor.manager?.current()
                recorder.track(
                    server: supervisor.spec.name, state: await supervisor.currentState.phase,
                    token: stored.flatMap { $0 }.map(TokenSummary.init))
            }
        }
        self.seeded = seeded
        follower = Task {
            await seeded.value
            for await event in events { recorder.record(event) }
        }
    }

    /// The registry behind /metrics, for callers that add collectors of their own.
    public var registry: PrometheusCollectorRegistry { recorder.registry }

    /// What GET /metrics answers now.
    public func exposition() -> String {
        String(decoding: recorder.exposition(), as: UTF8.self)
    }

    /// Starts answering GET /metrics on `host:port` (`port` 0 picks a free one) and returns the
    /// bound port. Once per exporter.
    public func serve(host: String, port: Int) async throws -> Int {
        await seeded.value
        let router = Router()
        router.get("metrics") { [recorder] _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: recorder.exposition())))
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
