import Foundation
import Monitor
import Prometheus
import Synchronization

/// Keeps a Prometheus registry in step with monitor events, one label set per server. The
/// families, their types, help texts and labels are listed in ``MetricFamily``; the README has
/// a line for each.
///
/// - `mcptop_token_seconds_remaining`: computed at each scrape from the last known expiry, so
///   it counts down between refreshes; 0 once expired; absent while no expiry is known (no
///   login, or a token issued without `expires_in`), so it never reads NaN or a made-up value.
/// - `mcptop_refreshes_total{result}`: refreshes seen, each counted once (``RefreshTally``).
/// - `mcptop_connection_state{state}`: 1 for the current phase, 0 for the others.
/// - `mcptop_tool_calls_total{outcome}` and the `mcptop_tool_call_duration_seconds` histogram:
///   finished tool calls, the monitor's own and those made through bridges.
/// - The login health series (needs login, refresh token, failures by reason, rotations,
///   expired tokens presented, session renewals, bridged calls): ``LoginHealth``.
final class MetricsRecorder: Sendable {
    /// Prometheus's default buckets, plus 30 s and 60 s for slow tools.
    static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    /// One server's collectors and what is remembered about it between events.
    private struct ServerMetrics {
        let phases: [ConnectionState.Phase: Gauge]
        let refreshesOK: Counter
        let refreshesFailed: Counter
        var health: LoginHealth
        var tokenSecondsRemaining: Gauge?
        var calls: [CallRecord.Outcome: Counter] = [:]
        var callDuration: ValueHistogram?
        var expiresAt: Date?
        var tally = RefreshTally(token: nil)
    }

    let registry = PrometheusCollectorRegistry()
    private let now: @Sendable () -> Date
    private let servers = Mutex<[String: ServerMetrics]>([:])

    init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// Starts counting for `server` from what is known now: its state and its stored login.
    func track(server: String, state: ConnectionState.Phase, token: TokenSummary?) {
        servers.withLock { servers in
            withMetrics(of: server, in: &servers) { metrics in
                metrics.tally = RefreshTally(token: token)
                setExpiry(token?.expiresAt, server: server, metrics: &metrics)
                setPhase(state, metrics: &metrics)
                metrics.health.login(token, now: now(), registry: registry)
            }
        }
    }

    func record(_ event: MonitorEvent) {
        servers.withLock { servers in
            withMetrics(of: event.server, in: &servers) { metrics in
                switch event.kind {
                case .stateChanged(let state):
                    setPhase(state.phase, metrics: &metrics)
                case .tokenChanged(let token):
                    setExpiry(token?.expiresAt, server: event.server, metrics: &metrics)
                    count(metrics.tally.tokenChanged(token), metrics: metrics)
                    metrics.health.login(token, now: now(), registry: registry)
                case .refreshed(let outcome):
                    count(metrics.tally.refreshed(outcome), metrics: metrics)
                case .callFinished(let call):
                    recordCall(call, server: event.server, metrics: &metrics)
                    if let bridge = call.bridge { metrics.health.bridgedCall(bridge, registry: registry) }
                case .authStep(let step):
                    if let reason = step.exchange.flatMap(RefreshFailureReason.init) {
                        metrics.health.exchange(reason, registry: registry)
                    }
                case .tokenRejected(let expiredAt):
                    if expiredAt != nil { metrics.health.expiredTokenPresented(registry: registry) }
                case .sessionRenewed:
                    metrics.health.sessionRenewed()
                case .callStarted, .callProgress, .toolsListed, .login, .log:
                    break
                }
            }
        }
    }

    /// The text exposition format, with the token countdowns brought up to now.
    func exposition() -> [UInt8] {
        let now = now()
        servers.withLock { servers in
            for metrics in servers.values {
                metrics.health.update(now: now)
                guard let expiresAt = metrics.expiresAt, let gauge = metrics.tokenSecondsRemaining else { continue }
                gauge.set(to: max(0, expiresAt.timeIntervalSince(now)))
            }
        }
        return registry.emitToBuffer()
    }

    // MARK: Per server

    private func withMetrics(
        of server: String, in servers: inout [String: ServerMetrics], _ change: (inout ServerMetrics) -> Void
    ) {
        var metrics = servers[server] ?? makeMetrics(server: server)
        change(&metrics)
        servers[server] = metrics
    }

    /// State gauges and refresh counters exist from the start, so a first refresh or state
    /// change is an increase a `rate()` can see.
    private func makeMetrics(server: String) -> ServerMetrics {
        var phases: [ConnectionState.Phase: Gauge] = [:]
        let state = MetricFamily.connectionState
        for phase in ConnectionState.Phase.allCases {
            phases[phase] = registry.makeGauge(
                descriptor: state.descriptor, labels: state.labels(server, phase.rawValue))
        }
        phases[.idle]?.set(to: 1)
        let refreshes = MetricFamily.refreshes
        return ServerMetrics(
            phases: phases,
            refreshesOK: registry.makeCounter(descriptor: refreshes.descriptor, labels: refreshes.labels(server, "ok")),
            refreshesFailed: registry.makeCounter(
                descriptor: refreshes.descriptor, labels: refreshes.labels(server, "failed")),
            health: LoginHealth(server: server, registry: registry))
    }

    private func setPhase(_ phase: ConnectionState.Phase, metrics: inout ServerMetrics) {
        for (each, gauge) in metrics.phases { gauge.set(to: each == phase ? 1 : 0) }
        metrics.health.phase(phase)
    }

    private func setExpiry(_ expiresAt: Date?, server: String, metrics: inout ServerMetrics) {
        metrics.expiresAt = expiresAt
        switch (expiresAt, metrics.tokenSecondsRemaining) {
        case (let expiresAt?, nil):
            let family = MetricFamily.tokenSecondsRemaining
            let gauge = registry.makeGauge(descriptor: family.descriptor, labels: family.labels(server))
            gauge.set(to: max(0, expiresAt.timeIntervalSince(now())))
            metrics.tokenSecondsRemaining = gauge
        case (nil, let gauge?):
            registry.unregisterGauge(gauge)
            metrics.tokenSecondsRemaining = nil
        default:
            break
        }
    }

    private func count(_ result: RefreshTally.Result?, metrics: ServerMetrics) {
        switch result {
        case .ok?: metrics.refreshesOK.increment()
        case .failed?: metrics.refreshesFailed.increment()
        case nil: break
        }
    }

    private func recordCall(_ call: CallRecord, server: String, metrics: inout ServerMetrics) {
        let counter =
            metrics.calls[call.outcome]
            ?? registry.makeCounter(
                descriptor: MetricFamily.toolCalls.descriptor,
                labels: MetricFamily.toolCalls.labels(server, call.outcome.rawValue))
        metrics.calls[call.outcome] = counter
        counter.increment()
        guard let duration = call.duration else { return }
        let histogram =
            metrics.callDuration
            ?? registry.makeValueHistogram(
                descriptor: MetricFamily.toolCallDuration.descriptor,
                labels: MetricFamily.toolCallDuration.labels(server), buckets: Self.durationBuckets)
        metrics.callDuration = histogram
        histogram.record(duration)
    }
}
