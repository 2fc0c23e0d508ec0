import Foundation
import OAuth
import Testing

@testable import Monitor
@testable import MonitorMetrics

/// The login health series, read from the exposition text as Prometheus would.
@Suite struct LoginHealthTests {
    static let issuer = #"server="demo",issuer="127.0.0.1:1""#
    static let needsLogin = #"mcptop_needs_login{server="demo"}"#
    static let present = "mcptop_refresh_token_present{\(issuer)}"
    static let refreshTokenLeft = "mcptop_refresh_token_seconds_remaining{\(issuer)}"
    static let loginLeft = "mcptop_login_seconds_remaining{\(issuer)}"
    static let rotations = "mcptop_refresh_token_rotations_total{\(issuer)}"
    static let expiredPresented = "mcptop_expired_tokens_presented_total{\(issuer)}"
    static let renewals = #"mcptop_session_renewals_total{server="demo"}"#
    static func failures(_ reason: String) -> String { "mcptop_refresh_failures_total{\(issuer),reason=\"\(reason)\"}" }

    /// A monitor whose events the test publishes, and its exporter on the monitor's clock.
    struct Harness {
        let clock = ManualMonitorClock()
        let monitor: Monitor
        let exporter: MetricsExporter

        init() {
            monitor = Monitor(specs: [spec("http://127.0.0.1:9/mcp")], store: temporaryStore(), clock: clock)
            exporter = MetricsExporter(monitor: monitor, now: { [clock] in clock.now })
        }

        func publish(_ kind: MonitorEvent.Kind) {
            monitor.hub.publish(MonitorEvent(server: "demo", time: clock.now, kind: kind))
        }

        var scrape: Scrape { Scrape(status: 200, contentType: nil, text: exporter.exposition()) }

        /// Waits until the exporter has seen the events published so far.
        func settle(_ what: String, _ condition: @escaping (Scrape) -> Bool) async -> Bool {
            await eventually(what) { condition(scrape) }
        }
    }

    @Test func everyFamilyHasItsHelpAndTypeOnceItHasASeries() async throws {
        let harness = Harness()
        var login = token(expiresAt: harness.clock.now.addingTimeInterval(300), refreshCount: 0)
        login.refreshTokenExpiresAt = harness.clock.now.addingTimeInterval(7200)
        harness.publish(.tokenChanged(login))
        var call = CallRecord(
            id: 1, tool: "search", argumentsDigest: "", startedAt: harness.clock.now, duration: 0.2, outcome: .ok,
            lastProgress: nil, detail: nil, result: nil)
        call.bridge = CallRecord.Bridge(client: "claude-code", via: "proxy")
        harness.publish(.callFinished(call))
        #expect(await harness.settle("the call") { $0.text.contains("mcptop_bridged_calls_total{") })
        let text = harness.scrape.text
        for family in MetricFamily.allCases {
            #expect(text.contains("# TYPE \(family.name) \(family.kind.rawValue)"), "\(family.name)")
            #expect(text.contains("# HELP \(family.name) \(family.help)"), "\(family.name)")
        }
        // The issuer is a host and port; no URL, token or secret is exposed.
        #expect(!text.contains("http://"))
        #expect(!text.contains("token-abcd"))
        await harness.exporter.stop()
    }

    @Test func needsLoginFollowsTheStateAndAnUnusableLogin() async throws {
        let harness = Harness()
        #expect(await harness.settle("seeded") { $0.value(Self.needsLogin) == 0 })
        harness.publish(.stateChanged(ConnectionState(.needsLogin, reason: "no login", since: harness.clock.now)))
        #expect(await harness.settle("needs login") { $0.value(Self.needsLogin) == 1 })
        harness.publish(.stateChanged(ConnectionState(.connected, reason: "ok", since: harness.clock.now)))
        #expect(await harness.settle("connected") { $0.value(Self.needsLogin) == 0 })
        // A refused refresh marks the login unusable before the state changes.
        harness.publish(
            .tokenChanged(
                token(
                    expiresAt: harness.clock.now, refreshCount: 0, lastRefreshAt: harness.clock.now,
                    unusable: "invalid_grant")))
        #expect(await harness.settle("unusable") { $0.value(Self.needsLogin) == 1 })
        #expect(harness.scrape.value(Self.loginLeft) == 0, "a login is needed now")
        await harness.exporter.stop()
    }

    @Test func refreshTokenAndLoginCountdownsMoveWithTheClockAndAreAbsentWhenUnknown() async throws {
        let harness = Harness()
        let now = harness.clock.now
        // A refresh token without a known end: present, no countdown.
        harness.publish(.tokenChanged(token(expiresAt: now.addingTimeInterval(300), refreshCount: 0)))
        #expect(await harness.settle("present") { $0.value(Self.present) == 1 })
        #expect(harness.scrape.samples("mcptop_refresh_token_seconds_remaining").isEmpty)
        #expect(harness.scrape.samples("mcptop_login_seconds_remaining").isEmpty)

        var ending = token(expiresAt: now.addingTimeInterval(300), refreshCount: 0)
        ending.refreshTokenExpiresAt = now.addingTimeInterval(86400)
        harness.publish(.tokenChanged(ending))
        #expect(await harness.settle("a countdown") { $0.value(Self.refreshTokenLeft) == 86400 })
        #expect(harness.scrape.value(Self.loginLeft) == 86400)
        harness.clock.advance(by: 400)
        #expect(harness.scrape.value(Self.refreshTokenLeft) == 86000, "counts down between events")
        #expect(harness.scrape.value(Self.loginLeft) == 86000)

        // No refresh token: the login ends with the access token.
        var accessOnly = token(expiresAt: harness.clock.now.addingTimeInterval(60), refreshCount: 0)
        accessOnly.hasRefreshToken = false
        accessOnly.refreshTokenObtainedAt = nil
        harness.publish(.tokenChanged(accessOnly))
        #expect(await harness.settle("no refresh token") { $0.value(Self.present) == 0 })
        #expect(harness.scrape.value(Self.loginLeft) == 60)
        #expect(harness.scrape.samples("mcptop_refresh_token_seconds_remaining").isEmpty)

        harness.publish(.tokenChanged(nil))
        #expect(await harness.settle("forgotten") { $0.samples("mcptop_refresh_token_present").isEmpty })
        #expect(harness.scrape.samples("mcptop_login_seconds_remaining").isEmpty)
        await harness.exporter.stop()
    }

    @Test func refreshFailuresAreCountedByReasonFromTheTokenEndpointAnswers() async throws {
        let harness = Harness()
        harness.publish(.tokenChanged(token(expiresAt: harness.clock.now.addingTimeInterval(300), refreshCount: 0)))
        // Every reason is there at 0 once the issuer is known.
        #expect(await harness.settle("issuer known") { $0.samples("mcptop_refresh_failures_total").count == 6 })
        for reason in RefreshFailureReason.allCases {
            #expect(harness.scrape.value(Self.failures(reason.rawValue)) == 0)
        }

        func step(_ purpose: String, _ status: Int?, _ error: String? = nil, cancelled: Bool = false) {
            let exchange = AuthStep.Exchange(purpose: purpose, status: status, error: error, cancelled: cancelled)
            harness.publish(.authStep(AuthStep(action: "POST …", outcome: "…", exchange: exchange)))
        }
        step("refresh", 400, "invalid_grant")
        step("refresh", nil)
        step("refresh", nil)
        step("refresh", 503, "temporarily_unavailable")
        step("refresh", 502)
        step("refresh", 429)
        step("refresh", 401, "invalid_client")
        // Not counted: a success, a cancelled request, other purposes.
        step("refresh", 200)
        step("refresh", nil, cancelled: true)
        step("token", 400, "invalid_grant")
        step("discovery", nil)
        #expect(await harness.settle("failures") { $0.value(Self.failures("other")) == 1 })
        let scrape = harness.scrape
        #expect(scrape.value(Self.failures("invalid_grant")) == 1)
        #expect(scrape.value(Self.failures("network")) == 2)
        #expect(scrape.value(Self.failures("temporarily_unavailable")) == 1)
        #expect(scrape.value(Self.failures("server_error")) == 1)
        #expect(scrape.value(Self.failures("invalid_client")) == 1)
        await harness.exporter.stop()
    }

    @Test func rotationsExpiredTokensRenewalsAndBridgedCallsAreCounted() async throws {
        let harness = Harness()
        let now = harness.clock.now
        let first = token(expiresAt: now.addingTimeInterval(300), refreshCount: 0)
        harness.publish(.tokenChanged(first))
        // A refresh that kept the refresh token, then one that replaced it.
        var kept = token(expiresAt: now.addingTimeInterval(600), refreshCount: 1, lastRefreshAt: now)
        kept.refreshTokenObtainedAt = first.refreshTokenObtainedAt
        harness.publish(.tokenChanged(kept))
        var rotated = token(expiresAt: now.addingTimeInterval(900), refreshCount: 2, lastRefreshAt: now)
        rotated.refreshTokenObtainedAt = now.addingTimeInterval(10)
        harness.publish(.tokenChanged(rotated))
        harness.publish(.tokenRejected(expiredAt: nil))
        harness.publish(.tokenRejected(expiredAt: now))
        harness.publish(.sessionRenewed("new session"))
        for client in ["cursor", "cursor", "claude-code"] {
            var call = CallRecord(
                id: 1, tool: "search", argumentsDigest: "", startedAt: now, duration: 0.1, outcome: .ok,
                lastProgress: nil, detail: nil, result: nil)
            call.bridge = CallRecord.Bridge(client: client, via: client == "cursor" ? "serve" : "proxy")
            harness.publish(.callFinished(call))
        }
        let cursor = #"mcptop_bridged_calls_total{server="demo",client="cursor",via="serve"}"#
        #expect(await harness.settle("bridged calls") { $0.value(cursor) == 2 })
        let scrape = harness.scrape
        #expect(scrape.value(#"mcptop_bridged_calls_total{server="demo",client="claude-code",via="proxy"}"#) == 1)
        // And how long each client waited, by client and bridge.
        let cursorDurations = #"mcptop_bridged_call_duration_seconds_count{server="demo",client="cursor",via="serve"}"#
        #expect(scrape.value(cursorDurations) == 2)
        #expect(
            scrape.value(#"mcptop_bridged_call_duration_seconds_sum{server="demo",client="cursor",via="serve"}"#) == 0.2
        )
        #expect(scrape.value(Self.rotations) == 1)
        #expect(scrape.value(Self.expiredPresented) == 1, "a 401 before the expiry is not counted")
        #expect(scrape.value(Self.renewals) == 1)
        #expect(scrape.value(#"mcptop_tool_calls_total{server="demo",outcome="ok"}"#) == 3)
        await harness.exporter.stop()
    }

    @Test func theIssuerLabelIsAHostAndPortOnly() {
        #expect(issuerLabel("https://login.example.com") == "login.example.com")
        #expect(issuerLabel("https://user:secret@login.example.com:8443/tenant/v2?x=1") == "login.example.com:8443")
        #expect(issuerLabel("http://127.0.0.1:1") == "127.0.0.1:1")
        #expect(issuerLabel("not a url") == "unknown")
    }

    @Test func theReadmeHasALineForEveryMetric() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        for family in MetricFamily.allCases {
            #expect(text.contains("| `\(family.name)` | \(family.kind.rawValue) |"), "\(family.name)")
        }
    }
}
