import DemoServer
import Foundation
import MetricsTestKit
import Monitor
import Testing

@testable import MonitorMetrics

@Suite struct MetricsFeedTests {
    /// The families an exposition shows, by its `# TYPE` lines.
    static func families(_ exposition: String) -> [String: String] {
        var families: [String: String] = [:]
        for line in exposition.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let words = line.split(separator: " ")
            if words.count == 4 { families[String(words[2])] = String(words[3]) }
        }
        return families
    }

    @Test func theFeedMakesTheFamiliesOfTheExpositionWithTheirHelpLabelsAndUnits() async throws {
        let server = DemoServer()
        _ = try await server.start()
        let monitor = Monitor(specs: [spec(server.url)], store: temporaryStore())
        let exporter = MetricsExporter(monitor: monitor)
        let factory = TestMetrics()
        let feed = MetricsFeed(monitor: monitor, factory: factory)
        monitor.start()
        let supervisor = try #require(monitor.supervisor(named: "demo"))
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        _ = await supervisor.callTool("echo", arguments: ["text": "hi"])
        #expect(
            await eventually("the call, in both") {
                factory.recorders.contains { $0.label == MetricFamily.toolCallDuration.name }
                    && exporter.exposition().contains("mcptop_tool_call_duration_seconds_count")
            })

        let exposed = Self.families(exporter.exposition())
        var fed: [String: String] = [:]
        for counter in factory.counters { fed[counter.label] = "counter" }
        for recorder in factory.recorders { fed[recorder.label] = recorder.aggregate ? "histogram" : "gauge" }
        #expect(fed == exposed, "the same families, of the same kinds")
        let series: [(String, [(String, String)])] =
            factory.counters.map { ($0.label, $0.dimensions) } + factory.recorders.map { ($0.label, $0.dimensions) }
        for (label, dimensions) in series {
            let family = try #require(MetricFamily(rawValue: label))
            let named = Dictionary(dimensions, uniquingKeysWith: { first, _ in first })
            #expect(named["description"] == family.help, "\(label)")
            #expect(named["unit"] == family.unit, "\(label)")
            #expect(
                dimensions.map(\.0).filter { $0 != "description" && $0 != "unit" } == family.labels, "\(label)")
            #expect(named["server"] == "demo")
        }
        let connected = try factory.expectRecorder(
            MetricFamily.connectionState.name,
            [("server", "demo"), ("state", "connected"), ("description", MetricFamily.connectionState.help)])
        #expect(connected.lastValue == 1)

        await feed.stop()
        await monitor.stop()
        await exporter.stop()
        await server.stop()
    }
}
