import CoreMetrics
import Foundation
import Monitor

/// A monitor's metrics, or a bridge's, fed into a swift-metrics factory — swift-otel's, which
/// exports them over OTLP — rather than served for scraping: the same families
/// (``MetricFamily``: names, help texts as descriptions, labels as attributes, `s` as the unit
/// of the `_seconds` families) and the same series as `watch --metrics` shows. The token
/// countdowns are brought up to date every `countdownInterval`, as a scrape would.
///
/// Of a monitor (`watch`), create it before `monitor.start()`, like ``MetricsExporter``. Of a
/// bridge (`proxy`, `serve`), which has no monitor, the bridge tells it what it sees as the
/// monitor's events (``track(server:token:)`` first, then ``record(_:)``): its clients' calls,
/// its token managers' OAuth requests and login changes; a bridge has no connection states.
public final class MetricsFeed: Sendable {
    private let recorder: MetricsRecorder
    private let seeded: Task<Void, Never>?
    private let follower: Task<Void, Never>?
    private let countdowns: Task<Void, Never>

    /// The metrics of `monitor`'s servers.
    public convenience init(
        monitor: Monitor, factory: any MetricsFactory, countdownInterval: Duration = .seconds(1),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let recorder = MetricsRecorder(series: FactorySeries(factory: factory), now: now)
        let (seeded, follower) = recorder.follow(monitor)
        self.init(recorder: recorder, seeded: seeded, follower: follower, countdownInterval: countdownInterval)
    }

    /// The metrics of a bridge's servers, from the events given to ``record(_:)``.
    public convenience init(
        factory: any MetricsFactory, countdownInterval: Duration = .seconds(1),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let recorder = MetricsRecorder(series: FactorySeries(factory: factory), connectionStates: false, now: now)
        self.init(recorder: recorder, seeded: nil, follower: nil, countdownInterval: countdownInterval)
    }

    private init(
        recorder: MetricsRecorder, seeded: Task<Void, Never>?, follower: Task<Void, Never>?,
        countdownInterval: Duration
    ) {
        self.recorder = recorder
        self.seeded = seeded
        self.follower = follower
        countdowns = Task {
            while !Task.isCancelled {
                recorder.updateCountdowns()
                try? await Task.sleep(for: countdownInterval)
            }
        }
    }

    /// Starts counting a bridge's `server` from its stored login as it is now (nil without
    /// one), so what that login already records (its refreshes) is not counted.
    public func track(server: String, token: TokenSummary?) {
        recorder.track(server: server, state: nil, token: token)
    }

    /// What a bridge saw, as the monitor would have published it.
    public func record(_ event: MonitorEvent) {
        recorder.record(event)
    }

    /// The bucket bounds of each histogram family, by name, for the factory's configuration.
    public static var histogramBuckets: [String: [Double]] {
        var buckets: [String: [Double]] = [:]
        for family in MetricFamily.allCases { buckets[family.name] = family.buckets }
        return buckets
    }

    /// Stops following the monitor and the countdowns (what was recorded stays in the factory).
    public func stop() async {
        follower?.cancel()
        countdowns.cancel()
        await seeded?.value
        await follower?.value
        await countdowns.value
    }
}
