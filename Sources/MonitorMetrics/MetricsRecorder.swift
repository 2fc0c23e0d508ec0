import CoreMetrics
import Foundation
import Monitor
import Synchronization

/// Keeps series in step with monitor events, one label set per server, in a ``SeriesStore``
/// (Prometheus's registry, or swift-otel's factory for OTLP). The families, their types, help
/// texts and labels are listed in ``MetricFamily``; the README has a line for each.
///
/// - `mcptop_token_seconds_remaining`: computed at each scrape from the last known expiry, so
///   it counts down between refreshes; 0 once expired; absent while no expiry is known (no
///   login, or a token issued without `expires_in`), so it never reads NaN or a made-up value.
/// - `mcptop_refreshes_total{result}`: refreshes seen, each counted once (``RefreshTally``).
/// - `mcptop_connection_state{state}`: 1 for the current phase, 0 for the others; not made of
///   a bridge's servers (`connectionStates` false: `proxy` and `serve` have no supervisor).
/// - `mcptop_tool_calls_total{outcome}` and the `mcptop_tool_call_duration_seconds` histogram:
///   finished tool calls, the monitor's own and those made through bridges.
/// - The login health series (needs login, refresh token, failures by reason, rotations,
///   expired tokens presented, session renewals, bridged calls and their durations):
///   ``LoginHealth``.
final class MetricsRecorder: Sendable {
    /// One server's collectors and what is remembered about it between events.
    private struct ServerMetrics {
        let phases: [ConnectionState.Phase: any RecorderHandler]
        let refreshesOK: any CounterHandler
        let refreshesFailed: any CounterHandler
        var health: LoginHealth
        var tokenSecondsRemaining: (any RecorderHandler)?
        var calls: [CallRecord.Outcome: any CounterHandler] = [:]
        var callDuration: (any RecorderHandler)?
        var expiresAt: Date?
        var tally = RefreshTally(token: nil)
    }

    private let series: any SeriesStore
    private let now: @Sendable () -> Date
    private let connectionStates: Bool
    private let servers = Mutex<[String: ServerMetrics]>([:])

    init(series: any SeriesStore, connectionStates: Bool = true, now: @escaping @Sendable () -> Date) {
        self.series = series
        self.connectionStates = connectionStates
        self.now = now
    }

    /// Reads `monitor`'s servers' current state and stored logins (so refreshes already
    /// recorded there are not counted and the token countdown is known from the start), then
    /// follows its events. `seeded` ends once the first reading is done.
    func follow(_ monitor: Monitor) -> (seeded: Task<Void, Never>, follower: Task<Void, Never>) {
        let events = monitor.hub.subscribe(buffer: Self.eventBuffer)
        let supervisors = monitor.supervisors
        let seeded = Task {
            for supervisor in supervisors {
                let stored = try? await supervisor.manager?.current()
                self.track(
                    server: supervisor.spec.name, state: await supervisor.currentState.phase,
                    token: stored.flatMap { $0 }.map(TokenSummary.init))
            }
        }
        let follower = Task {
            await seeded.value
            for await event in events { self.record(event) }
        }
        return (seeded, follower)
    }

    /// Large, so a burst (1000 servers connecting at once) loses no state change: a lost one
    /// would leave a state gauge wrong until the server's next change.
    static let eventBuffer = 1 << 16

    /// Starts counting for `server` from what is known now: its state (nil for a bridge's
    /// server) and its stored login.
    func track(server: String, state: ConnectionState.Phase?, token: TokenSummary?) {
        servers.withLock { servers in
            withMetrics(of: server, in: &servers) { metrics in
                metrics.tally = RefreshTally(token: token)
                setExpiry(token?.expiresAt, server: server, metrics: &metrics)
                if let state { setPhase(state, metrics: &metrics) }
                metrics.health.login(token, now: now(), series: series)
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
                    metrics.health.login(token, now: now(), series: series)
                case .refreshed(let outcome):
                    count(metrics.tally.refreshed(outcome), metrics: metrics)
                case .callFinished(let call):
                    recordCall(call, server: event.server, metrics: &metrics)
                    if let bridge = call.bridge {
                        metrics.health.bridgedCall(bridge, duration: call.duration, series: series)
                    }
                case .authStep(let step):
                    if let reason = step.exchange.flatMap(RefreshFailureReason.init) {
                        metrics.health.exchange(reason, series: series)
                    }
                case .tokenRejected(let expiredAt):
                    if expiredAt != nil { metrics.health.expiredTokenPresented(series: series) }
                case .sessionRenewed:
                    metrics.health.sessionRenewed()
                case .callStarted, .callProgress, .toolsListed, .login, .log, .request:
                    break
                }
            }
        }
    }

    /// Brings the token countdowns up to now (before each scrape or export).
    func updateCountdowns() {
        let now = now()
        servers.withLock { servers in
            for metrics in servers.values {
                metrics.health.update(now: now)
                guard let expiresAt = metrics.expiresAt, let gauge = metrics.tokenSecondsRemaining else { continue }
                gauge.record(max(0, expiresAt.timeIntervalSince(now)))
            }
        }
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
        var phases: [ConnectionState.Phase: any RecorderHandler] = [:]
        for phase in ConnectionState.Phase.allCases where connectionStates {
            phases[phase] = series.gauge(.connectionState, [server, phase.rawValue])
        }
        for (phase, gauge) in phases { gauge.record(phase == .idle ? 1.0 : 0.0) }
        return ServerMetrics(
            phases: phases, refreshesOK: series.counter(.refreshes, [server, "ok"]),
            refreshesFailed: series.counter(.refreshes, [server, "failed"]),
            health: LoginHealth(server: server, series: series))
    }

    private func setPhase(_ phase: ConnectionState.Phase, metrics: inout ServerMetrics) {
        for (each, gauge) in metrics.phases { gauge.record(each == phase ? 1.0 : 0.0) }
        metrics.health.phase(phase)
    }

    private func setExpiry(_ expiresAt: Date?, server: String, metrics: inout ServerMetrics) {
        metrics.expiresAt = expiresAt
        switch (expiresAt, metrics.tokenSecondsRemaining) {
        case (let expiresAt?, nil):
            let gauge = series.gauge(.tokenSecondsRemaining, [server])
            gauge.record(max(0, expiresAt.timeIntervalSince(now())))
            metrics.tokenSecondsRemaining = gauge
        case (nil, let gauge?):
            series.remove(gauge: gauge)
            metrics.tokenSecondsRemaining = nil
        default:
            break
        }
    }

    private func count(_ result: RefreshTally.Result?, metrics: ServerMetrics) {
        switch result {
        case .ok?: metrics.refreshesOK.increment(by: 1)
        case .failed?: metrics.refreshesFailed.increment(by: 1)
        case nil: break
        }
    }

    private func recordCall(_ call: CallRecord, server: String, metrics: inout ServerMetrics) {
        let counter =
            metrics.calls[call.outcome]
            ?? series.counter(.toolCalls, [server, call.outcome.rawValue])
        metrics.calls[call.outcome] = counter
        counter.increment(by: 1)
        guard let duration = call.duration else { return }
        let histogram =
            metrics.callDuration
            ?? series.histogram(.toolCallDuration, [server], buckets: MetricFamily.toolCallDuration.buckets ?? [])
        metrics.callDuration = histogram
        histogram.record(duration)
    }
}
