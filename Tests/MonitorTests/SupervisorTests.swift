import DemoServer
import Foundation
import HTTP
import MCPClient
import Monitor
import OAuth
import Testing

/// Polls `condition` in real time (bounded) while the monitor works on its own tasks.
func eventually(
    _ what: String, timeout: Duration = .seconds(10), _ condition: () async -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting for \(what)")
    return false
}

func temporaryStore() -> TokenStore {
    TokenStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-mon-\(UUID())").path)
}

func spec(_ server: DemoServer, name: String = "demo", version: String? = nil, oauth: Bool = false) -> ServerSpec {
    ServerSpec(
        endpoint: ServerEndpoint(
            name: name, transport: .streamableHTTP(url: server.url), protocolVersion: version, connectTimeout: 2,
            requestTimeout: 5),
        usesOAuth: oauth)
}

/// A supervisor of `server` on a manual clock that retries with `backoff`.
func supervisor(
    of server: DemoServer, version: String, clock: ManualMonitorClock, backoff: Backoff
) -> Supervisor {
    var options = MonitorOptions()
    options.backoff = backoff
    return Supervisor(
        spec: spec(server, version: version), store: temporaryStore(), hub: EventHub(), clock: clock, options: options)
}

func phases(_ supervisor: Supervisor) async -> [ConnectionState.Phase] {
    let snapshot = await supervisor.snapshot()
    return (snapshot.history + [snapshot.state]).map(\.phase)
}

/// Logs in to a DemoServer with OAuth, playing the browser in-process.
func login(_ server: DemoServer, store: TokenStore) async throws {
    var options = LoginFlow.Options()
    options.openBrowser = false
    options.timeout = .seconds(10)
    options.showURL = { url, _ in
        Task {
            var next = url
            for _ in 0..<3 {
                let response = try await HTTPClient.shared.send(HTTPRequest(url: next))
                guard let location = response.headers["Location"] else { return }
                next = location
            }
        }
    }
    _ = try await LoginFlow(serverName: "demo", serverURL: server.url, settings: OAuthSettings(), store: store)
        .run(options: options)
}

@Suite struct SupervisorTests {
    @Test func backoffDoublesUpToTheCapWithJitter() {
        let backoff = Backoff(base: 1, cap: 60)
        #expect((1...8).map { backoff.ceiling(afterFailures: $0) } == [1, 2, 4, 8, 16, 32, 60, 60])
        var random = SystemRandomNumberGenerator()
        for failures in 1...10 {
            let delay = backoff.delay(afterFailures: failures, using: &random)
            #expect(delay <= backoff.ceiling(afterFailures: failures))
            #expect(delay >= backoff.ceiling(afterFailures: failures) * 0.1)
        }
    }

    @Test func connectsListsToolsAndChecksHealthOnSchedule() async throws {
        let server = DemoServer()
        _ = try await server.start()
        let clock = ManualMonitorClock(now: Date())
        var options = MonitorOptions()
        options.healthInterval = 30
        let supervisor = Supervisor(
            spec: spec(server, version: "2025-11-25"), store: temporaryStore(), hub: EventHub(), clock: clock,
            options: options)
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        #expect(await supervisor.snapshot().tools.count >= 6)
        let start = clock.now
        #expect(await clock.settled() == [start.addingTimeInterval(30)], "the first health check is due in 30 s")
        let pings = server.stats().methods["ping", default: 0]
        clock.advance(by: 29)
        #expect(clock.pendingAlarms == [start.addingTimeInterval(30)], "nothing woke the supervisor")
        #expect(server.stats().methods["ping", default: 0] == pings, "no health check before 30 s")
        clock.advance(by: 1)
        #expect(await eventually("a ping") { server.stats().methods["ping", default: 0] == pings + 1 })
        run.cancel()
        await run.value
        await server.stop()
    }

    @Test func aForgottenSessionIsRenewedWithoutLeavingConnected() async throws {
        let server = DemoServer()
        _ = try await server.start()
        let clock = ManualMonitorClock(now: Date())
        let supervisor = Supervisor(
            spec: spec(server, version: "2025-11-25"), store: temporaryStore(), hub: EventHub(), clock: clock)
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        server.forgetSessions()
        clock.advance(by: 30)
        #expect(await eventually("a new session") { server.stats().sessionsCreated == 2 })
        #expect(await supervisor.currentState.phase == .connected)
        #expect(await !phases(supervisor).contains(.backoff))
        run.cancel()
        await run.value
        await server.stop()
    }

    @Test func recoversByItselfWhenTheServerComesBackOnTheSamePort() async throws {
        let server = DemoServer()
        let port = try await server.start()
        let clock = ManualMonitorClock(now: Date())
        let backoff = Backoff(base: 1, cap: 4)
        let supervisor = supervisor(of: server, version: "2026-07-28", clock: clock, backoff: backoff)
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        await server.stop()
        clock.advance(by: 30)  // the health check fails
        #expect(await eventually("backoff") { await supervisor.currentState.phase == .backoff })
        // While the server is down, attempts follow the backoff and never spin.
        for failures in 1...4 {
            let state = await supervisor.currentState
            let retryAt = try #require(state.retryAt)
            #expect(retryAt.timeIntervalSince(state.since) <= backoff.ceiling(afterFailures: failures) + 0.001)
            clock.advance(by: retryAt.timeIntervalSince(clock.now))
            #expect(
                await eventually("next backoff") {
                    let next = await supervisor.currentState
                    return next.phase == .backoff && next.since > state.since
                })
        }
        #expect(await supervisor.snapshot().history.filter { $0.phase == .connecting }.count <= 7)
        _ = try await server.start(port: port)
        let retryAt = try #require(await supervisor.currentState.retryAt)
        clock.advance(by: retryAt.timeIntervalSince(clock.now))
        #expect(await eventually("reconnected") { await supervisor.currentState.phase == .connected })
        run.cancel()
        await run.value
        await server.stop()
    }

    /// Two commands in quick succession while waiting out a backoff: each leads to one
    /// attempt, and the wait after them lasts its full time (the second command's wake-up
    /// must not be kept and end that wait early).
    @Test func commandsInQuickSuccessionDoNotCutTheNextBackoffShort() async throws {
        let server = DemoServer()
        _ = try await server.start()
        await server.stop()  // nothing listens: every attempt fails
        let clock = ManualMonitorClock(now: Date())
        let supervisor = supervisor(
            of: server, version: "2026-07-28", clock: clock, backoff: Backoff(base: 60, cap: 60))
        let run = Task { await supervisor.run() }
        func attempts() async -> Int { await supervisor.snapshot().history.filter { $0.phase == .connecting }.count }
        #expect(await eventually("backoff") { await supervisor.currentState.phase == .backoff })
        let before = await attempts()
        await supervisor.send(.reconnect)
        await supervisor.send(.reconnect)
        #expect(await eventually("two more attempts") { await attempts() == before + 2 })
        #expect(await eventually("backoff again") { await supervisor.currentState.phase == .backoff })
        let retryAt = try #require(await supervisor.currentState.retryAt)
        #expect(await clock.settled() == [retryAt], "it waits for the end of the backoff")
        #expect(await attempts() == before + 2, "no attempt before the backoff has passed")
        run.cancel()
        await run.value
    }

    @Test func refreshFiresAtTheScheduledInstant() async throws {
        var options = DemoServerOptions()
        var oauth = DemoOAuthOptions()
        oauth.accessTokenLifetime = 100
        options.oauth = oauth
        let server = DemoServer(options: options)
        _ = try await server.start()
        let store = temporaryStore()
        try await login(server, store: store)
        let clock = ManualMonitorClock(now: Date())
        let hub = EventHub()
        let events = hub.subscribe()
        let supervisor = Supervisor(spec: spec(server, oauth: true), store: store, hub: hub, clock: clock)
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        let due = try #require(await supervisor.snapshot().refreshDue)
        clock.advance(by: due.timeIntervalSince(clock.now) - 1)
        #expect(await clock.settled() == [due], "it waits for the scheduled instant")
        #expect(server.stats().refreshes == 0, "not before the scheduled instant")
        clock.advance(by: 1)
        #expect(await eventually("the refresh") { server.stats().refreshes == 1 })
        #expect(await eventually("connected again") { await supervisor.currentState.phase == .connected })
        #expect(await phases(supervisor).contains(.refreshing))
        // The supervisor's own snapshot follows, not only the event stream (the dashboard reads it).
        #expect(await eventually("snapshot token") { await supervisor.snapshot().token?.refreshCount == 1 })
        #expect(await !supervisor.snapshot().authSteps.isEmpty)
        let next = try #require(await supervisor.snapshot().refreshDue)
        #expect(next > due.addingTimeInterval(70))
        run.cancel()
        await run.value
        hub.finish()
        var sawToken = false
        for await event in events {
            if case .tokenChanged(let summary?) = event.kind, summary.refreshCount == 1 { sawToken = true }
        }
        #expect(sawToken)
        await server.stop()
    }

    @Test func invalidGrantNeedsLoginWithoutDeletingAnythingAndDoesNotSpin() async throws {
        var options = DemoServerOptions()
        var oauth = DemoOAuthOptions()
        oauth.accessTokenLifetime = 100
        options.oauth = oauth
        let server = DemoServer(options: options)
        _ = try await server.start()
        let store = temporaryStore()
        try await login(server, store: store)
        server.setOptions { $0.oauth?.refreshFault = .invalidGrant }
        let clock = ManualMonitorClock(now: Date())
        let supervisor = Supervisor(spec: spec(server, oauth: true), store: store, hub: EventHub(), clock: clock)
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        clock.advance(by: 90)
        #expect(await eventually("needsLogin") { await supervisor.currentState.phase == .needsLogin })
        #expect(await supervisor.currentState.reason.contains("invalid_grant"))
        let kept = try #require(try store.loadCredential(serverURL: server.url))
        #expect(kept.refreshToken != nil)
        // Nothing goes to the network while a login is needed: only the store is looked at
        // (one alarm at a time), for a login made elsewhere.
        #expect(clock.pendingAlarms.count <= 1, "no retry scheduled while a login is needed")
        let attempts = server.stats().refreshesStarted
        for _ in 0..<30 {
            clock.advance(by: 120)
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(clock.pendingAlarms.count <= 1)
        #expect(server.stats().refreshesStarted == attempts, "no retries while a login is needed")
        #expect(await supervisor.currentState.phase == .needsLogin)
        // A new login outside, like `mcptop auth` in another terminal: picked up by itself.
        server.setOptions { $0.oauth?.refreshFault = nil }
        try await login(server, store: store)
        clock.advance(by: Supervisor.storeLookInterval + 0.1)
        #expect(await eventually("connected after login") { await supervisor.currentState.phase == .connected })
        run.cancel()
        await run.value
        await server.stop()
    }

    @Test func refreshNowReportsWhatTheServerDid() async throws {
        var options = DemoServerOptions()
        options.oauth = DemoOAuthOptions()
        let server = DemoServer(options: options)
        _ = try await server.start()
        let store = temporaryStore()
        try await login(server, store: store)
        let hub = EventHub()
        let events = hub.subscribe()
        let supervisor = Supervisor(
            spec: spec(server, oauth: true), store: store, hub: hub, clock: ManualMonitorClock(now: Date()))
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        await supervisor.send(.refreshNow)
        var report: RefreshReport?
        for await event in events {
            if case .refreshed(.success(let value)) = event.kind {
                report = value
                break
            }
        }
        #expect(report?.rotated == true)
        #expect(report?.expiresInPresent == true)
        #expect(report?.description.contains("refresh token rotated") == true)
        run.cancel()
        await run.value
        await server.stop()
    }

    @Test func toolCallsAreLoggedWithOutcomeAndCanBeCancelled() async throws {
        let server = DemoServer()
        _ = try await server.start()
        var options = MonitorOptions()
        options.callLogCapacity = 3
        let supervisor = Supervisor(
            spec: spec(server), store: temporaryStore(), hub: EventHub(), clock: ManualMonitorClock(now: Date()),
            options: options)
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        _ = await supervisor.callTool("echo", arguments: ["text": "hi"])
        _ = await supervisor.callTool("fail", arguments: [:])
        let slow = await supervisor.callTool("slow", arguments: ["steps": 100, "delayMs": 50])
        #expect(
            await eventually("progress") {
                await supervisor.snapshot().calls.first { $0.id == slow }?.lastProgress != nil
            })
        await supervisor.cancelCall(slow)
        #expect(
            await eventually("all finished") {
                await supervisor.snapshot().calls.allSatisfy { $0.outcome != .running }
            })
        let calls = await supervisor.snapshot().calls
        #expect(calls.map(\.outcome) == [.ok, .isError, .cancelled])
        #expect(calls[0].argumentsDigest == #"text="hi""#)
        #expect(calls[0].detail == "hi")
        _ = await supervisor.callTool("echo", arguments: ["text": "4th"])
        #expect(await eventually("ring buffer") { await supervisor.snapshot().calls.count == 3 })
        #expect(await supervisor.snapshot().calls.first?.tool == "fail", "the oldest entry was dropped")
        #expect(await supervisor.snapshot().callCount == 4)
        #expect(await supervisor.snapshot().errorCount == 2)
        run.cancel()
        await run.value
        await server.stop()
    }

    @Test func aHundredServersAtOnce() async throws {
        let servers = [DemoServer(), DemoServer(), DemoServer(), DemoServer()]
        for server in servers { _ = try await server.start() }
        let specs = (0..<100).map { index in
            spec(
                servers[index % servers.count], name: "s\(index)", version: index.isMultiple(of: 2) ? "2025-11-25" : nil
            )
        }
        let monitor = Monitor(specs: specs, store: temporaryStore(), clock: ManualMonitorClock(now: Date()))
        monitor.start()
        #expect(
            await eventually("all connected", timeout: .seconds(30)) {
                await monitor.snapshots().allSatisfy { $0.state.phase == .connected }
            })
        await monitor.stop()
        #expect(await monitor.snapshots().allSatisfy { $0.state.phase == .idle })
        for server in servers { await server.stop() }
    }

    @Test func slowSubscribersDoNotStallTheMonitor() async throws {
        let hub = EventHub()
        let slow = hub.subscribe(buffer: 10)
        for index in 0..<10_000 {
            hub.publish(MonitorEvent(server: "s", time: Date(), kind: .log("\(index)")))
        }
        hub.finish()
        var received: [String] = []
        for await event in slow {
            if case .log(let text) = event.kind { received.append(text) }
        }
        #expect(received == (9990..<10_000).map(String.init), "the newest events are kept")
    }
}

@Suite struct HorizonTests {
    @Test func warnsBeforeTheRefreshTokenEnds() async throws {
        var options = DemoServerOptions()
        var oauth = DemoOAuthOptions()
        // No access-token refresh in the window: a refresh would bring a new refresh token
        // with a new end (the demo server renews it), moving the horizon.
        oauth.accessTokenLifetime = 20000
        oauth.refreshTokenLifetime = 7200
        options.oauth = oauth
        let server = DemoServer(options: options)
        _ = try await server.start()
        let store = temporaryStore()
        try await login(server, store: store)
        let clock = ManualMonitorClock(now: Date())
        let hub = EventHub()
        let events = hub.subscribe()
        var monitorOptions = MonitorOptions()
        monitorOptions.healthInterval = 600
        let supervisor = Supervisor(
            spec: spec(server, oauth: true), store: store, hub: hub, clock: clock, options: monitorOptions)
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        #expect(await supervisor.snapshot().token?.refreshTokenExpiresAt != nil)
        clock.advance(by: 600)  // 1h50m left of 2h: not yet (a fifth is 24 min)
        clock.advance(by: 5000)  // 26 min left
        clock.advance(by: 600)  // 16 min left: warned
        // Waiting for its next health check again: it has looked at the time after the last step.
        #expect(await clock.settled() != nil)
        run.cancel()
        await run.value
        hub.finish()
        var warnings: [String] = []
        for await event in events {
            if case .log(let text) = event.kind, text.contains("refresh token expires") { warnings.append(text) }
        }
        #expect(warnings.count == 1)
        await server.stop()
    }
}

/// A stdio server that exits shows at once, not at the next health check (30 s): the state
/// says why, with its status and stderr, and the supervisor tries again after a backoff.
@Suite struct LostConnectionTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MCPClientTests/Fixtures/stdio_server.py").path

    /// A stdio server that lists its tools, writes "out of memory" to stderr and exits with 4.
    static let crashing = ServerSpec(
        endpoint: ServerEndpoint(
            name: "local",
            transport: .stdio(
                command: "python3", arguments: [script], environment: ["MODE": "exit-after-list"],
                workingDirectory: nil),
            requestTimeout: 10),
        usesOAuth: false)

    @Test func aStdioServerThatExitsIsShownAtOnce() async throws {
        var options = MonitorOptions()
        options.healthInterval = 30
        let supervisor = Supervisor(spec: Self.crashing, store: temporaryStore(), hub: EventHub(), options: options)
        let run = Task { await supervisor.run() }
        let shown = await eventually("the exit", timeout: .seconds(10)) {
            let state = await supervisor.currentState
            return state.phase != .connected && state.phase != .connecting && state.reason.contains("status 4")
        }
        #expect(shown)
        let state = await supervisor.currentState
        #expect(state.reason.contains("out of memory"), "\(state.reason)")
        #expect(state.phase == .backoff, "\(state.phase)")
        run.cancel()
        await run.value
    }

    /// A server that crashes right after each start is retried later and later: a connection
    /// that did not last `stableAfter` does not start the count again. Deterministic although
    /// the delay is random: with base b, the sixth wait is at least 0.1 × 32 b = 3.2 b, and
    /// every wait would be at most b if the count started again at each connection. The
    /// events stop after 20 s whatever happens, so a server that never starts fails the test.
    @Test func aCrashLoopWaitsLongerAfterEachCrash() async throws {
        var options = MonitorOptions()
        options.healthInterval = 30
        options.backoff = Backoff(base: 0.02, cap: 60)
        let hub = EventHub()
        let events = hub.subscribe()
        let supervisor = Supervisor(spec: Self.crashing, store: temporaryStore(), hub: hub, options: options)
        let run = Task { await supervisor.run() }
        let deadline = Task {
            try await Task.sleep(for: .seconds(20))
            hub.finish()
        }
        var waits: [Double] = []
        for await event in events {
            guard case .stateChanged(let state) = event.kind, state.phase == .backoff, let retryAt = state.retryAt
            else { continue }
            waits.append(retryAt.timeIntervalSince(state.since))
            if waits.count == 6 { break }
        }
        deadline.cancel()
        run.cancel()
        await run.value
        #expect(waits.count == 6)
        #expect(waits.prefix(1).allSatisfy { $0 <= 0.021 }, "\(waits)")
        #expect(waits.last ?? 0 >= 0.06, "\(waits)")
    }
}
