import DemoServer
import Foundation
import HTTP
import MCPClient
import Monitor
import MonitorMetrics
import OAuth
import Testing

@Suite struct MetricsExporterTests {
    static func state(_ phase: ConnectionState.Phase, server: String = "demo") -> String {
        #"mcptop_connection_state{server="\#(server)",state="\#(phase.rawValue)"}"#
    }
    static let remaining = #"mcptop_token_seconds_remaining{server="demo"}"#
    static let refreshesOK = #"mcptop_refreshes_total{server="demo",result="ok"}"#
    static let refreshesFailed = #"mcptop_refreshes_total{server="demo",result="failed"}"#

    @Test func connectionStateFollowsARealServerWithOneStateAtOne() async throws {
        let server = DemoServer()
        _ = try await server.start()
        let monitor = Monitor(specs: [spec(server.url)], store: temporaryStore())
        let exporter = MetricsExporter(monitor: monitor)
        let port = try await exporter.serve(host: "127.0.0.1", port: 0)

        let before = try await Scrape.get(port)
        #expect(before.status == 200)
        #expect(before.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(before.text.contains("# TYPE mcptop_connection_state gauge"))
        #expect(before.value(Self.state(.idle)) == 1)

        monitor.start()
        #expect(
            await eventually("connected") { (try? await Scrape.get(port))?.value(Self.state(.connected)) == 1 })
        let connected = try await Scrape.get(port)
        #expect(connected.samples("mcptop_connection_state").count == ConnectionState.Phase.allCases.count)
        for phase in ConnectionState.Phase.allCases where phase != .connected {
            #expect(connected.value(Self.state(phase)) == 0, "\(phase)")
        }
        // No login: no countdown (absent rather than NaN or a made-up number), no refreshes.
        #expect(connected.samples("mcptop_token_seconds_remaining").isEmpty)
        #expect(connected.value(Self.refreshesOK) == 0)
        #expect(connected.value(Self.refreshesFailed) == 0)
        #expect(try await Scrape.get(port, path: "/other").status == 404)

        await monitor.stop()
        #expect(await eventually("idle") { (try? await Scrape.get(port))?.value(Self.state(.idle)) == 1 })
        #expect(try await Scrape.get(port).value(Self.state(.connected)) == 0)
        await exporter.stop()
        await server.stop()
    }

    @Test func toolCallsAreCountedByOutcomeWithTheirDurations() async throws {
        let server = DemoServer()
        _ = try await server.start()
        let monitor = Monitor(specs: [spec(server.url)], store: temporaryStore())
        let exporter = MetricsExporter(monitor: monitor)
        let port = try await exporter.serve(host: "127.0.0.1", port: 0)
        monitor.start()
        let supervisor = try #require(monitor.supervisor(named: "demo"))
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })

        _ = await supervisor.callTool("echo", arguments: ["text": "hi"])
        _ = await supervisor.callTool("echo", arguments: ["text": "again"])
        _ = await supervisor.callTool("fail", arguments: ["reason": "on purpose"])
        let ok = #"mcptop_tool_calls_total{server="demo",outcome="ok"}"#
        let isError = #"mcptop_tool_calls_total{server="demo",outcome="isError"}"#
        #expect(
            await eventually("three calls") {
                let scrape = try? await Scrape.get(port)
                return scrape?.value(ok) == 2 && scrape?.value(isError) == 1
            })
        let scrape = try await Scrape.get(port)
        #expect(scrape.text.contains("# TYPE mcptop_tool_call_duration_seconds histogram"))
        #expect(scrape.value(#"mcptop_tool_call_duration_seconds_count{server="demo"}"#) == 3)
        #expect(scrape.value(#"mcptop_tool_call_duration_seconds_bucket{server="demo",le="+Inf"}"#) == 3)
        let sum = try #require(scrape.value(#"mcptop_tool_call_duration_seconds_sum{server="demo"}"#))
        #expect(sum > 0 && sum < 15)
        // Loopback calls finish in well under 5 s.
        #expect(scrape.value(#"mcptop_tool_call_duration_seconds_bucket{server="demo",le="5.0"}"#) == 3)

        await monitor.stop()
        await exporter.stop()
        await server.stop()
    }

    @Test func theTokenCountdownMovesWithTheClockAndIsAbsentWhenUnknown() async throws {
        let clock = ManualMonitorClock()
        let monitor = Monitor(specs: [spec("http://127.0.0.1:9/mcp")], store: temporaryStore(), clock: clock)
        let exporter = MetricsExporter(monitor: monitor, now: { clock.now })
        let port = try await exporter.serve(host: "127.0.0.1", port: 0)
        func publish(_ kind: MonitorEvent.Kind) {
            monitor.hub.publish(MonitorEvent(server: "demo", time: clock.now, kind: kind))
        }

        #expect(try await Scrape.get(port).samples("mcptop_token_seconds_remaining").isEmpty)
        publish(.tokenChanged(token(expiresAt: clock.now.addingTimeInterval(300), refreshCount: 0)))
        #expect(await eventually("a countdown") { (try? await Scrape.get(port))?.value(Self.remaining) == 300 })
        #expect(try await Scrape.get(port).text.contains("# TYPE mcptop_token_seconds_remaining gauge"))
        clock.advance(by: 100)
        #expect(try await Scrape.get(port).value(Self.remaining) == 200, "counts down between events")
        clock.advance(by: 250)
        #expect(try await Scrape.get(port).value(Self.remaining) == 0, "0 once expired, never negative")

        publish(.tokenChanged(nil))
        #expect(
            await eventually("no countdown") {
                (try? await Scrape.get(port))?.samples("mcptop_token_seconds_remaining").isEmpty == true
            })
        publish(.tokenChanged(token(expiresAt: nil, refreshCount: 0)))
        publish(.tokenChanged(token(expiresAt: clock.now.addingTimeInterval(60), refreshCount: 0)))
        #expect(await eventually("a countdown again") { (try? await Scrape.get(port))?.value(Self.remaining) == 60 })
        // None of these was a refresh.
        #expect(try await Scrape.get(port).value(Self.refreshesOK) == 0)

        await exporter.stop()
    }

    @Test func refreshesSeenOnlyAsTokenChangesAndFailuresAreCounted() async throws {
        let clock = ManualMonitorClock()
        let monitor = Monitor(specs: [spec("http://127.0.0.1:9/mcp")], store: temporaryStore(), clock: clock)
        let exporter = MetricsExporter(monitor: monitor, now: { clock.now })
        let port = try await exporter.serve(host: "127.0.0.1", port: 0)
        func publish(_ kind: MonitorEvent.Kind) {
            monitor.hub.publish(MonitorEvent(server: "demo", time: clock.now, kind: kind))
        }
        let expiry = clock.now.addingTimeInterval(100)
        publish(.tokenChanged(token(expiresAt: expiry, refreshCount: 0)))
        publish(.tokenChanged(token(expiresAt: expiry, refreshCount: 1, lastRefreshAt: clock.now)))
        publish(.tokenChanged(token(expiresAt: expiry, refreshCount: 2, lastRefreshAt: clock.now)))
        #expect(await eventually("two refreshes") { (try? await Scrape.get(port))?.value(Self.refreshesOK) == 2 })
        publish(.refreshed(.failure(OAuthError(server: "demo", .transient("token endpoint answered 503")))))
        #expect(await eventually("a failure") { (try? await Scrape.get(port))?.value(Self.refreshesFailed) == 1 })
        #expect(try await Scrape.get(port).value(Self.refreshesOK) == 2)
        // Another server's events stay under its own label.
        monitor.hub.publish(
            MonitorEvent(
                server: "other", time: clock.now, kind: .tokenChanged(token(expiresAt: expiry, refreshCount: 1))))
        let other = #"mcptop_refreshes_total{server="other",result="ok"}"#
        #expect(await eventually("the other server") { (try? await Scrape.get(port))?.value(other) == 1 })
        #expect(try await Scrape.get(port).value(Self.refreshesOK) == 2)

        await exporter.stop()
    }

    /// Against the demo authorization server: a scheduled refresh publishes only a token change,
    /// a manual one a token change and a `.refreshed` event; each counts once.
    @Test func scheduledAndManualRefreshesAreEachCountedOnce() async throws {
        var options = DemoServerOptions()
        var oauth = DemoOAuthOptions()
        oauth.accessTokenLifetime = 100
        options.oauth = oauth
        let server = DemoServer(options: options)
        _ = try await server.start()
        let store = temporaryStore()
        try await login(server, store: store)
        let clock = ManualMonitorClock(now: Date())
        let monitor = Monitor(specs: [spec(server.url, oauth: true)], store: store, clock: clock)
        let exporter = MetricsExporter(monitor: monitor, now: { clock.now })
        let port = try await exporter.serve(host: "127.0.0.1", port: 0)

        // Known from the stored login before any event.
        let first = try await Scrape.get(port)
        let remaining = try #require(first.value(Self.remaining))
        #expect(remaining > 90 && remaining <= 100)
        #expect(first.value(Self.refreshesOK) == 0)

        monitor.start()
        let supervisor = try #require(monitor.supervisor(named: "demo"))
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        let due = try #require(await supervisor.snapshot().refreshDue)
        clock.advance(by: due.timeIntervalSince(clock.now))
        #expect(await eventually("the scheduled refresh") { server.stats().refreshes == 1 })
        #expect(await eventually("counted") { (try? await Scrape.get(port))?.value(Self.refreshesOK) == 1 })
        #expect(try await Scrape.get(port).value(Self.remaining) == 100, "the new token's countdown")

        await supervisor.send(.refreshNow)
        #expect(await eventually("the manual refresh") { server.stats().refreshes == 2 })
        #expect(await eventually("counted") { (try? await Scrape.get(port))?.value(Self.refreshesOK) == 2 })
        #expect(
            await eventually("connected again") {
                (try? await Scrape.get(port))?.value(Self.state(.connected)) == 1
            })
        #expect(try await Scrape.get(port).value(Self.refreshesOK) == 2, "not counted twice")

        clock.advance(by: 1)  // so the refused attempt is newer than the last refresh
        server.setOptions { $0.oauth?.refreshFault = .invalidGrant }
        await supervisor.send(.refreshNow)
        #expect(
            await eventually("needsLogin") { (try? await Scrape.get(port))?.value(Self.state(.needsLogin)) == 1 })
        let refused = try await Scrape.get(port)
        #expect(refused.value(Self.refreshesFailed) == 1, "one refused refresh, reported twice, counted once")
        #expect(refused.value(Self.refreshesOK) == 2)
        // Both refreshes rotated the refresh token; the refusal is an invalid_grant at the issuer.
        let issuer = #"server="demo",issuer="127.0.0.1:\#(URLComponents(string: server.url)?.port ?? 0)""#
        #expect(refused.value("mcptop_refresh_token_rotations_total{\(issuer)}") == 2)
        #expect(refused.value("mcptop_refresh_failures_total{\(issuer),reason=\"invalid_grant\"}") == 1)
        #expect(refused.value(#"mcptop_needs_login{server="demo"}"#) == 1)
        #expect(refused.value("mcptop_refresh_token_present{\(issuer)}") == 1)

        await monitor.stop()
        await exporter.stop()
        await server.stop()
    }

    @Test func aBusyPortIsReportedAsAnError() async throws {
        let server = DemoServer()
        let busy = try await server.start()
        let exporter = MetricsExporter(monitor: Monitor(specs: [], store: temporaryStore()))
        await #expect(throws: MetricsExporter.ServeError.self) {
            _ = try await exporter.serve(host: "127.0.0.1", port: busy)
        }
        await exporter.stop()
        await server.stop()
    }
}
