import CoreMetrics
import Foundation
import Monitor

/// A monitor's metrics fed into a swift-metrics factory — swift-otel's, which exports them over
/// OTLP — rather than served for scraping: the same families (``MetricFamily``: names, help
/// texts as descriptions, labels as attributes, `s` as the unit of the `_seconds` families) and
/// the same series as `watch --metrics` shows. The token countdowns are brought up to date
/// every `countdownInterval`, as a scrape would.
///
/// Create it before `monitor.start()`, like ``MetricsExporter``.
public final class MetricsFeed: Sendable {
    private let seeded: Task<Void, Never>
    private let follower: Task<Void, Never>
    private let countdowns: Task<Void, Never>

    public init(
        monitor: Monitor, factory: any MetricsFactory, countdownInterval: Duration = .seconds(1),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let recorder = MetricsRecorder(series: FactorySeries(factory: factory), now: now)
        (seeded, follower) = recorder.follow(monitor)
        countdowns = Task {
            while !Task.isCancelled {
                recorder.updateCountdowns()
                try? await Task.sleep(for: countdownInterval)
            }
        }
    }

    /// The bucket bounds of each histogram family, by name, for the factory's configuration.
    public static var histogramBuckets: [String: [Double]] {
        var buckets: [String: [Double]] = [:]
        for family in MetricFamily.allCases { buckets[family.name] = family.buckets }
        return buckets
    }

    /// Stops following the monitor (what was recorded stays in the factory).
    public func stop() async {
        follower.cancel()
        countdowns.cancel()
        await seeded.value
        await follower.value
        await countdowns.value
    }
}
