import CoreMetrics
import Prometheus

/// Where the recorder keeps its series: Prometheus's registry (`watch --metrics`, scraped) or
/// a swift-metrics factory (swift-otel's, exported over OTLP). Both make every series from a
/// ``MetricFamily`` (name, kind, labels, help), so the two exports cannot drift apart.
protocol SeriesStore: Sendable {
    func gauge(_ family: MetricFamily, _ values: [String]) -> any RecorderHandler
    func counter(_ family: MetricFamily, _ values: [String]) -> any CounterHandler
    func histogram(_ family: MetricFamily, _ values: [String], buckets: [Double]) -> any RecorderHandler
    /// Removes a gauge made here (its series disappears from the export).
    func remove(gauge: any RecorderHandler)
}

/// The series in a Prometheus registry, with the family's help text.
struct PrometheusSeries: SeriesStore {
    let registry: PrometheusCollectorRegistry

    func gauge(_ family: MetricFamily, _ values: [String]) -> any RecorderHandler {
        registry.makeGauge(descriptor: family.descriptor, labels: family.labels(values))
    }

    func counter(_ family: MetricFamily, _ values: [String]) -> any CounterHandler {
        registry.makeCounter(descriptor: family.descriptor, labels: family.labels(values))
    }

    func histogram(_ family: MetricFamily, _ values: [String], buckets: [Double]) -> any RecorderHandler {
        registry.makeValueHistogram(descriptor: family.descriptor, labels: family.labels(values), buckets: buckets)
    }

    func remove(gauge: any RecorderHandler) {
        if let gauge = gauge as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }
}

/// The series in a swift-metrics factory: the family's name as the label, its labels as
/// dimensions, and its help text and unit in the `description` and `unit` dimensions that
/// swift-otel's factory reads as the instrument's own. Histogram buckets are the factory's
/// business (swift-otel: `valueHistogramBuckets`, set from ``MetricFamily/buckets``).
struct FactorySeries: SeriesStore {
    let factory: any MetricsFactory

    private func dimensions(_ family: MetricFamily, _ values: [String]) -> [(String, String)] {
        var dimensions = family.labels(values)
        dimensions.append(("description", family.help))
        if let unit = family.unit { dimensions.append(("unit", unit)) }
        return dimensions
    }

    func gauge(_ family: MetricFamily, _ values: [String]) -> any RecorderHandler {
        factory.makeRecorder(label: family.name, dimensions: dimensions(family, values), aggregate: false)
    }

    func counter(_ family: MetricFamily, _ values: [String]) -> any CounterHandler {
        factory.makeCounter(label: family.name, dimensions: dimensions(family, values))
    }

    func histogram(_ family: MetricFamily, _ values: [String], buckets: [Double]) -> any RecorderHandler {
        factory.makeRecorder(label: family.name, dimensions: dimensions(family, values), aggregate: true)
    }

    func remove(gauge: any RecorderHandler) {
        factory.destroyRecorder(gauge)
    }
}
