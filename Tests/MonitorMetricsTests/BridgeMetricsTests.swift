import Bridge
import Foundation
import MetricsTestKit
import Monitor
import OAuth
import Testing

@testable import MonitorMetrics

/// A bridge (`proxy`, `serve`) has no monitor: it tells a feed what it sees as the monitor's
/// events, and the same families come out with the same labels as of `watch`.
@Suite struct BridgeMetricsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// The sum of the counters of `family` whose labels include `labels`.
    static func count(_ factory: TestMetrics, _ family: MetricFamily, _ labels: [String: String]) -> Int64 {
        factory.counters(label: family.name).filter { counter in
            labels.allSatisfy { label in counter.dimensions.contains { $0.0 == label.key && $0.1 == label.value } }
        }.reduce(0) { $0 + $1.totalValue }
    }

    @Test func aBridgesCallsRefreshesAndFailuresAreCountedAsWatchCountsThem() async throws {
        let factory = TestMetrics()
        let feed = MetricsFeed(factory: factory, countdownInterval: .milliseconds(20), now: { Self.now })
        // The stored login's three refreshes happened before the bridge started: not counted.
        feed.track(server: "acme", token: token(expiresAt: Self.now.addingTimeInterval(2), refreshCount: 3))

        let attached = BridgeActivity.Event(kind: .attached, via: "proxy", server: "acme", client: "claude-code")
        #expect(MonitorEvent(bridged: attached) == nil, "a client attaching is no call")
        let call = BridgeActivity.Event(
            kind: .call, via: "proxy", server: "acme", client: "claude-code", time: Self.now, tool: "search",
            seconds: 0.25, outcome: "isError")
        feed.record(try #require(MonitorEvent(bridged: call)))
        // A refresh the bridge's token manager made, then one refused for good.
        let refreshed = token(
            expiresAt: Self.now.addingTimeInterval(4), refreshCount: 4, lastRefreshAt: Self.now)
        feed.record(MonitorEvent(server: "acme", time: Self.now, kind: .tokenChanged(refreshed)))
        let refusal = AuthStep(
            time: Self.now, action: "refresh", outcome: "refused",
            exchange: AuthStep.Exchange(purpose: "refresh", status: 400, error: "invalid_grant", host: "127.0.0.1:1"))
        feed.record(MonitorEvent(server: "acme", time: Self.now, kind: .authStep(refusal)))
        let dead = token(
            expiresAt: Self.now.addingTimeInterval(4), refreshCount: 4, lastRefreshAt: Self.now.addingTimeInterval(1),
            unusable: "invalid_grant")
        feed.record(MonitorEvent(server: "acme", time: Self.now, kind: .tokenChanged(dead)))

        #expect(Self.count(factory, .toolCalls, ["server": "acme", "outcome": "isError"]) == 1)
        #expect(
            Self.count(factory, .bridgedCalls, ["server": "acme", "client": "claude-code", "via": "proxy"]) == 1)
        let duration = try #require(factory.recorders(label: MetricFamily.toolCallDuration.name).first)
        #expect(duration.aggregate && duration.values == [0.25])
        #expect(Self.count(factory, .refreshes, ["server": "acme", "result": "ok"]) == 1)
        #expect(Self.count(factory, .refreshes, ["server": "acme", "result": "failed"]) == 1)
        #expect(
            Self.count(
                factory, .refreshFailures, ["server": "acme", "issuer": "127.0.0.1:1", "reason": "invalid_grant"])
                == 1)
        let remaining = try #require(factory.recorders(label: MetricFamily.tokenSecondsRemaining.name).first)
        #expect(await eventually("the refreshed token's countdown") { remaining.lastValue == 4 })
        let needsLogin = try #require(factory.recorders(label: MetricFamily.needsLogin.name).first)
        #expect(needsLogin.lastValue == 1)
        #expect(
            factory.recorders(label: MetricFamily.connectionState.name).isEmpty,
            "a bridge has no connection state to report")
        let values = (factory.counters.flatMap(\.dimensions) + factory.recorders.flatMap(\.dimensions)).map(\.1)
        #expect(!values.contains { $0.contains("token-abcd") || $0 == "refresh" }, "no secret in a label")
        await feed.stop()
    }

    @Test func aBridgedCallIsTheRecordTheMonitorKeeps() throws {
        let outcomes: [(String, CallRecord.Outcome)] = [
            ("ok", .ok), ("isError", .isError), ("cancelled", .cancelled), ("error", .protocolError),
        ]
        for (said, outcome) in outcomes {
            let event = BridgeActivity.Event(
                kind: .call, via: "serve", server: "acme", client: "cursor", time: Self.now, tool: "echo",
                seconds: 1.5, outcome: said, detail: "why")
            let record = try #require(CallRecord(bridged: event, id: 7))
            #expect(record.outcome == outcome, "\(said)")
            #expect(record.bridge == CallRecord.Bridge(client: "cursor", via: "serve"))
            #expect(record.tool == "echo" && record.duration == 1.5 && record.startedAt == Self.now && record.id == 7)
            let published = try #require(MonitorEvent(bridged: event))
            #expect(published.server == "acme")
            guard case .callFinished(let finished) = published.kind else {
                Issue.record("not a finished call: \(published.kind)")
                continue
            }
            #expect(finished.bridge?.via == "serve")
        }
    }
}
