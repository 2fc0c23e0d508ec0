import Bridge
import DemoServer
import Foundation
import HTTP
import MCPClient
import Monitor
import OAuth
import Testing

/// Issue 12: a login runs beside the connection; no action of the user's takes a healthy
/// server down.
@Suite struct LoginBesideConnectionTests {
    /// A DemoServer with OAuth, logged in, and a supervisor of it on a manual clock.
    func connected(
        lifetime: Double = 100, browser: (@Sendable (String) -> Void)? = nil
    ) async throws -> (DemoServer, Supervisor, ManualMonitorClock, EventHub, Task<Void, Never>) {
        var options = DemoServerOptions()
        var oauth = DemoOAuthOptions()
        oauth.accessTokenLifetime = lifetime
        options.oauth = oauth
        let server = DemoServer(options: options)
        _ = try await server.start()
        let store = temporaryStore()
        try await login(server, store: store)
        let clock = ManualMonitorClock(now: Date())
        let hub = EventHub()
        var monitorOptions = MonitorOptions()
        monitorOptions.browser = browser
        let supervisor = Supervisor(
            spec: spec(server, oauth: true), store: store, hub: hub, clock: clock, options: monitorOptions)
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        return (server, supervisor, clock, hub, run)
    }

    @Test func anUnfinishedLoginLeavesTheConnectionRefreshingAndCanBeCancelled() async throws {
        let (server, supervisor, clock, hub, run) = try await connected()
        let events = hub.subscribe()
        // Nobody finishes this login in a browser.
        await supervisor.send(.login(openBrowser: false, extraScopes: []))
        #expect(await eventually("pending with its URL") { await supervisor.snapshot().pendingLogin?.url != nil })
        #expect(await supervisor.currentState.phase == .connected)
        // The scheduled refresh still happens while the login waits.
        let due = try #require(await supervisor.snapshot().refreshDue)
        clock.advance(by: due.timeIntervalSince(clock.now) + 1)
        #expect(await eventually("refreshed during the login") { server.stats().refreshes == 1 })
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        // Calls go on too.
        let call = await supervisor.callTool("echo", arguments: ["text": "still here"])
        #expect(
            await eventually("the call") {
                await supervisor.snapshot().calls.first { $0.id == call }?.outcome == .ok
            })
        // The same key again gives the login up; nothing else changes.
        await supervisor.send(.login(openBrowser: false, extraScopes: []))
        #expect(await eventually("no longer pending") { await supervisor.snapshot().pendingLogin == nil })
        #expect(await supervisor.currentState.phase == .connected)
        run.cancel()
        await run.value
        hub.finish()
        var updates: [LoginUpdate] = []
        for await event in events { if case .login(let update) = event.kind { updates.append(update) } }
        #expect(updates.last == .cancelled)
        #expect(updates.contains { if case .waitingForBrowser = $0 { return true } else { return false } })
        await server.stop()
    }

    @Test func aFinishedLoginIsStoredAndConnectsAgain() async throws {
        let (server, supervisor, _, hub, run) = try await connected(browser: { url in
            Task {
                // Plays the browser: the demo server approves and redirects to the callback.
                var next = url
                for _ in 0..<3 {
                    let response = try await HTTPClient.shared.send(HTTPRequest(url: next))
                    guard let location = response.headers["Location"] else { return }
                    next = location
                }
            }
        })
        let events = hub.subscribe()
        let before = await supervisor.snapshot().token?.accessTokenFingerprint
        await supervisor.send(.login(openBrowser: false, extraScopes: []))
        #expect(
            await eventually("a new token") {
                let token = await supervisor.snapshot().token?.accessTokenFingerprint
                return token != nil && token != before
            })
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        #expect(await supervisor.snapshot().pendingLogin == nil)
        run.cancel()
        await run.value
        hub.finish()
        var succeeded = false
        for await event in events { if case .login(.succeeded) = event.kind { succeeded = true } }
        #expect(succeeded)
        await server.stop()
    }

    @Test func aManualRefreshThatFailsTransientlyKeepsTheConnection() async throws {
        let (server, supervisor, clock, hub, run) = try await connected()
        let events = hub.subscribe()
        server.setOptions {
            $0.oauth?.refreshFault = .temporarilyUnavailable
            $0.oauth?.refreshFaultsLeft = 1
        }
        await supervisor.send(.refreshNow)
        var failure: OAuthError?
        for await event in events {
            if case .refreshed(.failure(let error)) = event.kind {
                failure = error
                break
            }
        }
        #expect(failure?.isTransient == true)
        // Done with the command: waiting on the clock again (a backoff would wait too, and fail below).
        #expect(await clock.settled() != nil)
        #expect(await supervisor.currentState.phase == .connected)
        #expect(await !(phases(supervisor).contains(.backoff)), "the healthy connection was kept")
        run.cancel()
        await run.value
        await server.stop()
    }

    @Test func loginOnAServerThatNeedsNoneSaysSo() async throws {
        let server = DemoServer()  // no OAuth
        _ = try await server.start()
        let hub = EventHub()
        let events = hub.subscribe()
        let supervisor = Supervisor(
            spec: spec(server, oauth: true), store: temporaryStore(), hub: hub, clock: ManualMonitorClock(now: Date()))
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        await supervisor.send(.login(openBrowser: false, extraScopes: []))
        var update: LoginUpdate?
        for await event in events {
            if case .login(let value) = event.kind {
                update = value
                break
            }
        }
        guard case .notNeeded(let text)? = update else {
            Issue.record("expected notNeeded, got \(String(describing: update))")
            return
        }
        #expect(text.contains("needs no login"))
        #expect(!text.contains("registration"), "no guessed /register")
        #expect(await supervisor.currentState.phase == .connected)
        run.cancel()
        await run.value
        await server.stop()
    }

    @Test func aRenewedSessionIsInTheHistoryAndTheEventLog() async throws {
        let server = DemoServer()
        _ = try await server.start()
        let clock = ManualMonitorClock(now: Date())
        let hub = EventHub()
        let events = hub.subscribe()
        let supervisor = Supervisor(
            spec: spec(server, version: "2025-11-25"), store: temporaryStore(), hub: hub, clock: clock)
        let run = Task { await supervisor.run() }
        #expect(await eventually("connected") { await supervisor.currentState.phase == .connected })
        server.forgetSessions()
        clock.advance(by: 30)
        #expect(
            await eventually("the renewal in the state") {
                await supervisor.currentState.reason.contains("new session")
            })
        #expect(await supervisor.currentState.phase == .connected)
        run.cancel()
        await run.value
        hub.finish()
        var renewed = false
        for await event in events { if case .sessionRenewed = event.kind { renewed = true } }
        #expect(renewed)
        await server.stop()
    }

    @Test func aServerWhoseConfigCannotBeUsedIsShownAndNeverConnects() async throws {
        let endpoint = ServerEndpoint(name: "secret", transport: .streamableHTTP(url: "http://127.0.0.1:9/mcp"))
        let hub = EventHub()
        let events = hub.subscribe()
        let clock = ManualMonitorClock(now: Date())
        let supervisor = Supervisor(
            spec: ServerSpec(
                endpoint: endpoint, usesOAuth: true, problem: "url uses ${TOKEN}, which is not set",
                displayTarget: "http://127.0.0.1:9/${TOKEN}"),
            store: temporaryStore(), hub: hub, clock: clock)
        let run = Task { await supervisor.run() }
        #expect(await eventually("config state") { await supervisor.currentState.phase == .config })
        await supervisor.send(.reconnect)
        // The answer to the reconnect: the command was handled, and nothing is scheduled.
        var answer: String?
        for await event in events {
            if case .log(let text) = event.kind {
                answer = text
                break
            }
        }
        #expect(answer == "fix the config first: url uses ${TOKEN}, which is not set")
        #expect(clock.pendingAlarms.isEmpty)
        let snapshot = await supervisor.snapshot()
        #expect(snapshot.state.phase == .config)
        #expect(snapshot.state.reason == "url uses ${TOKEN}, which is not set")
        #expect(snapshot.target == "http://127.0.0.1:9/${TOKEN}", "the target as written, not expanded")
        #expect(snapshot.history.allSatisfy { $0.phase != .connecting })
        run.cancel()
        await run.value
    }

    @Test func aCallOnAServerThatNeedsALoginSaysSo() async throws {
        var options = DemoServerOptions()
        options.oauth = DemoOAuthOptions()
        let server = DemoServer(options: options)
        _ = try await server.start()
        let supervisor = Supervisor(
            spec: spec(server, oauth: true), store: temporaryStore(), hub: EventHub(),
            clock: ManualMonitorClock(now: Date()))
        let run = Task { await supervisor.run() }
        #expect(await eventually("needsLogin") { await supervisor.currentState.phase == .needsLogin })
        let id = await supervisor.callTool("echo", arguments: ["text": "x"])
        #expect(
            await eventually("the call ended") {
                await supervisor.snapshot().calls.first { $0.id == id }?.outcome != .running
            })
        let call = try #require(await supervisor.snapshot().calls.first { $0.id == id })
        #expect(call.outcome == .authError)
        #expect(call.detail?.hasPrefix("needs a login: press a") == true)
        run.cancel()
        await run.value
        await server.stop()
    }
}

/// Issue 14: calls clients make through `mcptop proxy` / `serve` show with the server's own.
@Suite struct BridgedCallsTests {
    @Test func aBridgedCallIsKeptWithTheClientsNameAndAttachedClientsAreCounted() async throws {
        let endpoint = ServerEndpoint(name: "acme", transport: .streamableHTTP(url: "http://127.0.0.1:9/mcp"))
        let supervisor = Supervisor(
            spec: ServerSpec(endpoint: endpoint, usesOAuth: false), store: temporaryStore(), hub: EventHub(),
            clock: ManualMonitorClock(now: Date()))
        await supervisor.recordBridged(.init(kind: .attached, pid: 42, via: "proxy", server: "acme", client: "cursor"))
        await supervisor.recordBridged(
            .init(
                kind: .call, pid: 42, via: "proxy", server: "acme", client: "cursor", tool: "search", seconds: 0.2,
                outcome: "isError", detail: "no results"))
        var snapshot = await supervisor.snapshot()
        #expect(snapshot.attachedClients == ["cursor via proxy"])
        let call = try #require(snapshot.calls.last)
        #expect(call.via == "cursor via proxy")
        #expect(call.outcome == .isError)
        #expect(snapshot.callCount == 1 && snapshot.errorCount == 1)
        await supervisor.recordBridged(.init(kind: .detached, pid: 42, via: "proxy", server: "acme", client: "cursor"))
        snapshot = await supervisor.snapshot()
        #expect(snapshot.attachedClients.isEmpty)
    }
}
