import Foundation
import HTTP
import MCPClient
import OAuth
import Synchronization

/// One configured server, as the monitor needs it.
public struct ServerSpec: Sendable {
    public var endpoint: ServerEndpoint
    public var oauth: OAuthSettings
    /// OAuth applies: an HTTP server without an `Authorization` header of its own.
    public var usesOAuth: Bool

    public var name: String { endpoint.name }

    public init(endpoint: ServerEndpoint, oauth: OAuthSettings = OAuthSettings(), usesOAuth: Bool) {
        self.endpoint = endpoint
        self.oauth = oauth
        self.usesOAuth = usesOAuth
    }

    /// The URL a login is for.
    public var httpURL: String? {
        switch endpoint.transport {
        case .streamableHTTP(let url), .legacySSE(let url): return url
        case .stdio: return nil
        }
    }
}

public struct MonitorOptions: Sendable {
    /// Seconds between health checks of a connected server.
    public var healthInterval: Double = 30
    public var backoff = Backoff()
    public var callLogCapacity = 200
    public var historyCapacity = 50
    public var authStepCapacity = 100
    /// At most this many servers connect at once (the rest wait their turn).
    public var concurrentConnects = 32
    /// Plays the browser for a login instead of `$BROWSER` (`mcptop demo` follows the demo
    /// server's auto-approving redirect in-process).
    public var browser: (@Sendable (String) -> Void)?

    public init() {}
}

/// What a user asks of one server, as a value.
public enum SupervisorCommand: Sendable, Equatable {
    case reconnect
    case refreshNow
    /// Browser login; `openBrowser` false only shows the URL (an event carries it).
    case login(openBrowser: Bool, extraScopes: [String])
    /// Revoke and forget the login.
    case forget
}

/// Everything known about a server at one moment, for screens and reports.
public struct ServerSnapshot: Sendable {
    public var name: String
    public var transport: String
    public var target: String
    public var state: ConnectionState
    public var history: [ConnectionState]
    public var serverInfo: ServerInfo?
    public var tools: [Tool]
    public var token: TokenSummary?
    public var calls: [CallRecord]
    public var authSteps: [AuthStep]
    public var callCount: Int
    public var errorCount: Int
    /// When the next refresh is scheduled, if the token's expiry is known.
    public var refreshDue: Date?
}

/// Keeps one server connected: connects and negotiates, lists tools, refreshes the token on
/// schedule, checks health, and after a failure waits (exponential backoff with full jitter,
/// capped) and tries again — never in a tight loop. A login that cannot be refreshed waits for
/// the user instead of retrying.
public actor Supervisor {
    public nonisolated let spec: ServerSpec
    private let options: MonitorOptions
    private let clock: any MonitorClock
    private let hub: EventHub
    private let store: TokenStore
    private let http: HTTPClient
    public nonisolated let manager: TokenManager?
    private let gate: ConnectGate?

    private var connection: MCPConnection?
    private var state: ConnectionState
    private var history: RingBuffer<ConnectionState>
    private var calls: RingBuffer<CallRecord>
    private var authSteps: RingBuffer<AuthStep>
    private var info: ServerInfo?
    private var tools: [Tool] = []
    private var token: TokenSummary?
    private var failures = 0
    private var callCount = 0
    private var errorCount = 0
    private var nextCallID = 1
    private var callTasks: [Int: Task<Void, Never>] = [:]
    private var pending: [SupervisorCommand] = []
    private let wakeup = Wakeup()
    private var random = SystemRandomNumberGenerator()
    private var warnedHorizon: Date?

    public init(
        spec: ServerSpec, store: TokenStore, hub: EventHub, clock: any MonitorClock = SystemMonitorClock(),
        options: MonitorOptions = MonitorOptions(), http: HTTPClient = .shared, gate: ConnectGate? = nil
    ) {
        self.spec = spec
        self.gate = gate
        self.options = options
        self.clock = clock
        self.hub = hub
        self.store = store
        self.http = http
        state = ConnectionState(.idle, reason: "not started", since: clock.now)
        history = RingBuffer(capacity: options.historyCapacity)
        calls = RingBuffer(capacity: options.callLogCapacity)
        authSteps = RingBuffer(capacity: options.authStepCapacity)
        if spec.usesOAuth, let url = spec.httpURL {
            let name = spec.name
            manager = TokenManager(
                serverName: name, serverURL: url, store: store, settings: spec.oauth, http: http,
                now: { [clock] in clock.now },
                onStep: { [relay] step in relay.record(.authStep(step)) },
                onChange: { [relay] credential in relay.record(.tokenChanged(credential.map(TokenSummary.init))) })
        } else {
            manager = nil
        }
        relay.attach(self)
    }

    /// Token and auth-step news from the token manager go through `publish`, so the
    /// supervisor's own snapshot (token facts, auth timeline) stays current, not only the
    /// event stream.
    private let relay = EventRelay()

    fileprivate func record(_ kind: MonitorEvent.Kind) {
        publish(kind)
    }

    // MARK: Reading

    public func snapshot() async -> ServerSnapshot {
        ServerSnapshot(
            name: spec.name, transport: spec.endpoint.transportName, target: spec.endpoint.target, state: state,
            history: history.all, serverInfo: info, tools: tools, token: token, calls: calls.all,
            authSteps: authSteps.all, callCount: callCount, errorCount: errorCount,
            refreshDue: (try? await manager?.refreshDue()) ?? nil)
    }

    public var currentState: ConnectionState { state }

    // MARK: Commands

    public func send(_ command: SupervisorCommand) {
        pending.append(command)
        wake()
    }

    private func wake() {
        wakeup.signal()
    }

    /// Waits until `deadline` or a command, whichever comes first; returns the command.
    /// The clock's alarm signals the wake-up from its own thread: no task waits meanwhile.
    /// A wake-up kept from earlier (a command that came while busy, an alarm that fired as a
    /// command arrived) only makes it look again: it returns at the deadline, not before.
    private func wait(until deadline: Date?) async -> SupervisorCommand? {
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            if Task.isCancelled { return nil }
            if let deadline, clock.now >= deadline { return nil }
            let alarm = deadline.map { clock.alarm(at: $0) { [wakeup] in wakeup.signal() } }
            await wakeup.wait()
            alarm?.cancel()
        }
    }

    private func enter(_ phase: ConnectionState.Phase, _ reason: String, retryAt: Date? = nil) {
        let next = ConnectionState(phase, reason: reason, since: clock.now, retryAt: retryAt)
        guard next.phase != state.phase || next.reason != state.reason || next.retryAt != state.retryAt else { return }
        history.append(state)
        state = next
        publish(.stateChanged(next))
    }

    private func publish(_ kind: MonitorEvent.Kind) {
        if case .authStep(let step) = kind { authSteps.append(step) }
        if case .tokenChanged(let summary) = kind { token = summary }
        hub.publish(MonitorEvent(server: spec.name, time: clock.now, kind: kind))
    }

    // MARK: The loop

    /// Runs until the task is cancelled.
    public func run() async {
        if let manager, let credential = try? await manager.current() {
            token = TokenSummary(credential)
        }
        await withTaskCancellationHandler {
            await loop()
        } onCancel: { [wakeup] in
            wakeup.signal()
        }
        for task in callTasks.values { task.cancel() }
        await manager?.settle()  // a refresh under way finishes and is stored
        await connection?.close()
        connection = nil
        enter(.idle, "stopped")
    }

    private func loop() async {
        while !Task.isCancelled {
            enter(.connecting, "connecting to \(HTTPError.displayURL(spec.endpoint.target))")
            let connection = MCPConnection(
                endpoint: spec.endpoint,
                authorizer: manager.map { OAuthAuthorizer(manager: $0, staticHeaders: spec.endpoint.headers) }
                    ?? StaticAuthorizer(headers: spec.endpoint.headers),
                http: http)
            self.connection = connection
            do {
                await gate?.acquire()
                let info: ServerInfo
                do {
                    info = try await connection.connect()
                    tools = try await listTools(connection)
                } catch {
                    await gate?.release()
                    throw error
                }
                await gate?.release()
                self.info = info
                failures = 0
                enter(.connected, "protocol \(info.protocolVersion), \(tools.count) tool\(tools.count == 1 ? "" : "s")")
                publish(.toolsListed(count: tools.count))
                try await stayConnected(connection)
            } catch {
                await connection.close()
                self.connection = nil
                if Task.isCancelled { break }
                await recover(from: error)
            }
        }
    }

    private func listTools(_ connection: MCPConnection) async throws -> [Tool] {
        do {
            return try await connection.listTools()
        } catch {
            // A server without tools answers "method not found": connected, with none.
            if case .rpc(let rpcError) = error.kind, rpcError.code == JSONRPCError.methodNotFound { return [] }
            throw error
        }
    }

    private func stayConnected(_ connection: MCPConnection) async throws {
        var nextHealthCheck = clock.now.addingTimeInterval(options.healthInterval)
        // After a scheduled refresh that could not happen (the server failed, the token is
        // still valid), the next try waits its turn instead of looping.
        var refreshNotBefore = Date.distantPast
        var refreshFailures = 0
        while !Task.isCancelled {
            warnIfLoginEndsSoon()
            let refreshDue = ((try? await manager?.refreshDue()) ?? nil).map { max($0, refreshNotBefore) }
            let deadline = [nextHealthCheck, refreshDue].compactMap { $0 }.min()
            if let command = await wait(until: deadline) {
                if try await handle(command, connection: connection) { return }
                continue
            }
            let now = clock.now
            if let refreshDue, now >= refreshDue {
                try await refresh(manual: false)
                if let due = (try? await manager?.refreshDue()) ?? nil, due <= clock.now {
                    refreshFailures += 1
                    let delay = options.backoff.delay(afterFailures: refreshFailures, using: &random)
                    refreshNotBefore = clock.now.addingTimeInterval(delay)
                } else {
                    refreshFailures = 0
                }
            }
            if now >= nextHealthCheck {
                try await connection.ping()
                nextHealthCheck = clock.now.addingTimeInterval(options.healthInterval)
            }
        }
    }

    /// The refresh token's end, if the server revealed it or the config sets it: a warning
    /// once it is within a day (or a fifth of its life, when that is shorter), since a login
    /// will be needed then.
    private func warnIfLoginEndsSoon() {
        guard let token, let end = token.refreshTokenExpiresAt, warnedHorizon != end else { return }
        let lifetime = token.refreshTokenObtainedAt.map { end.timeIntervalSince($0) } ?? 86400 * 5
        let left = end.timeIntervalSince(clock.now)
        guard left < min(86400, lifetime * 0.2) else { return }
        warnedHorizon = end
        let text =
            left > 0
            ? "the refresh token expires in \(Int(left / 60)) min; a browser login will be needed then (a)"
            : "the refresh token has expired; a browser login is needed (a)"
        publish(.log(text))
    }

    /// Returns true when the connection is to be made again.
    private func handle(_ command: SupervisorCommand, connection: MCPConnection?) async throws -> Bool {
        switch command {
        case .reconnect:
            publish(.log("reconnect requested"))
            return true
        case .refreshNow:
            try await refresh(manual: true)
            return false
        case .login(let openBrowser, let extraScopes):
            try await login(openBrowser: openBrowser, extraScopes: extraScopes)
            return true
        case .forget:
            if let manager {
                let outcome = await Logout(manager: manager, store: store, http: http).run()
                publish(.log("logged out: \(outcome)"))
            }
            return true
        }
    }

    private func refresh(manual: Bool) async throws {
        guard let manager else {
            if manual { publish(.log("no login to refresh")) }
            return
        }
        let previous = state
        enter(.refreshing, manual ? "refreshing on request" : "refreshing before expiry")
        do {
            if manual {
                let report = try await manager.refreshNow()
                publish(.refreshed(.success(report)))
                enter(.connected, "token refreshed: \(report)")
            } else {
                _ = try await manager.accessToken()
                enter(previous.phase == .refreshing ? .connected : previous.phase, previous.reason)
            }
        } catch {
            publish(.refreshed(.failure(error)))
            throw error
        }
    }

    private func login(openBrowser: Bool, extraScopes: [String]) async throws {
        guard let manager, let url = spec.httpURL else {
            publish(.log("\(spec.name) needs no login"))
            return
        }
        enter(.authorizing, "waiting for the browser login")
        let name = spec.name
        let flow = LoginFlow(
            serverName: name, serverURL: url, settings: spec.oauth, store: store, http: http,
            onStep: { [relay] step in relay.record(.authStep(step)) })
        var options = LoginFlow.Options()
        options.openBrowser = openBrowser
        options.extraScopes = extraScopes
        let browser = self.options.browser
        if browser != nil { options.openBrowser = false }
        options.showURL = { [hub, clock] url in
            hub.publish(MonitorEvent(server: name, time: clock.now, kind: .log("open to log in: \(url)")))
            browser?(url)
        }
        let credential = try await flow.run(options: options)
        try await manager.replace(with: credential)
    }

    /// Sorts a failure into: wait for the user (needs login, configuration), or back off.
    private func recover(from error: Error) async {
        switch Self.classify(error, server: spec.name) {
        case .needsLogin(let reason):
            enter(.needsLogin, reason)
            await waitForUser()
        case .failed(let reason):
            enter(.failed, reason)
            await waitForUser()
        case .retry(let reason):
            failures += 1
            let delay = options.backoff.delay(afterFailures: failures, using: &random)
            let retryAt = clock.now.addingTimeInterval(delay)
            enter(.backoff, reason, retryAt: retryAt)
            if let command = await wait(until: retryAt) {
                await perform(command)
            }
        }
    }

    /// Needs-login and failed states stay until the user acts (no spinning).
    private func waitForUser() async {
        while !Task.isCancelled {
            guard let command = await wait(until: nil) else { continue }
            await perform(command)
            return
        }
    }

    /// A command while not connected: reconnect and login lead to a new attempt.
    private func perform(_ command: SupervisorCommand) async {
        do {
            _ = try await handle(command, connection: nil)
        } catch {
            await recover(from: error)
        }
    }

    enum Decision: Equatable {
        case needsLogin(String)
        case failed(String)
        case retry(String)
    }

    /// The decision, with the reason's leading "server: " dropped (screens show the name).
    static func classify(_ error: Error, server: String) -> Decision {
        let prefix = "\(server): "
        func trim(_ text: String) -> String { text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text }
        switch classify(error) {
        case .needsLogin(let reason): return .needsLogin(trim(reason))
        case .failed(let reason): return .failed(trim(reason))
        case .retry(let reason): return .retry(trim(reason))
        }
    }

    static func classify(_ error: Error) -> Decision {
        if let error = error as? OAuthError {
            switch error.kind {
            case .needsLogin: return .needsLogin(error.description)
            case .transient: return .retry(error.description)
            case .login where error.description.contains("cancelled"): return .needsLogin(error.description)
            default: return .failed(error.description)
            }
        }
        guard let error = error as? MCPError else { return .retry("\(error)") }
        switch error.kind {
        case .authorization(let inner): return classify(inner)
        case .unauthorized: return .needsLogin(error.description)
        case .unsupportedVersion, .unsupported: return .failed(error.description)
        case .httpStatus(let status, _, _, _):
            if status >= 500 || status == 429 || status == 408 { return .retry(error.description) }
            return .failed(error.description)
        case .connection(let http):
            if http.kind == .invalidURL || http.kind == .tls { return .failed(error.description) }
            return .retry(error.description)
        case .rpc, .protocolViolation, .sessionExpired, .timeout, .cancelled, .process:
            return .retry(error.description)
        }
    }

    // MARK: Tool calls

    /// Starts a call; its progress and outcome arrive as events. Returns the call's id.
    public func callTool(_ name: String, arguments: JSONValue?, timeout: Double? = nil) -> Int {
        let id = nextCallID
        nextCallID += 1
        let record = CallRecord(
            id: id, tool: name, argumentsDigest: CallRecord.digest(arguments), startedAt: clock.now, duration: nil,
            outcome: .running, lastProgress: nil, detail: nil, result: nil)
        calls.append(record)
        callCount += 1
        publish(.callStarted(record))
        let started = ContinuousClock.now
        callTasks[id] = Task {
            guard let connection = self.connection else {
                self.finishCall(id, started: started, outcome: .protocolError, detail: "not connected", result: nil)
                return
            }
            do throws(MCPError) {
                let result = try await connection.callTool(name, arguments: arguments, timeout: timeout) { progress in
                    Task { await self.progress(id, progress) }
                }
                self.finishCall(
                    id, started: started, outcome: result.isError ? .isError : .ok,
                    detail: result.summaryLines.first, result: result)
            } catch {
                let outcome: CallRecord.Outcome
                if error.isCancellation {
                    outcome = .cancelled
                } else if case .authorization = error.kind {
                    outcome = .authError
                } else if case .unauthorized = error.kind {
                    outcome = .authError
                } else {
                    outcome = .protocolError
                }
                self.finishCall(id, started: started, outcome: outcome, detail: error.description, result: nil)
            }
        }
        return id
    }

    public func cancelCall(_ id: Int) {
        callTasks[id]?.cancel()
    }

    private func progress(_ id: Int, _ progress: MCPClient.Progress) {
        calls.update(where: { $0.id == id }, change: { $0.lastProgress = progress })
        if let record = calls.all.last(where: { $0.id == id }) { publish(.callProgress(record)) }
    }

    private func finishCall(
        _ id: Int, started: ContinuousClock.Instant, outcome: CallRecord.Outcome, detail: String?, result: ToolResult?
    ) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if outcome != .ok { errorCount += 1 }
        calls.update(
            where: { $0.id == id },
            change: { record in
                record.duration = seconds
                record.outcome = outcome
                record.detail = detail
                record.result = result
            })
        callTasks[id] = nil
        if let record = calls.all.last(where: { $0.id == id }) { publish(.callFinished(record)) }
    }
}

/// Forwards events from callbacks that cannot await into the supervisor's actor. Holds the
/// supervisor weakly: the supervisor owns the token manager that owns the callbacks.
private final class EventRelay: Sendable {
    private struct Target: @unchecked Sendable {
        // Unchecked: only read and written under the mutex below.
        weak var supervisor: Supervisor?
    }
    private let target = Mutex(Target())

    func attach(_ supervisor: Supervisor) {
        target.withLock { $0.supervisor = supervisor }
    }

    func record(_ kind: MonitorEvent.Kind) {
        guard let supervisor = target.withLock({ $0.supervisor }) else { return }
        Task { await supervisor.record(kind) }
    }
}

/// One waiter and any number of signals, from any thread. A signal with nobody waiting is
/// kept for the next wait, so a wake-up that races the wait is not lost; a spare one only
/// makes the supervisor look at its deadlines once more.
private final class Wakeup: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, Never>)
        case signalled
    }
    private let state = Mutex(State.idle)

    func wait() async {
        await withCheckedContinuation { continuation in
            let signalled = state.withLock { state -> Bool in
                if case .signalled = state {
                    state = .idle
                    return true
                }
                state = .waiting(continuation)
                return false
            }
            if signalled { continuation.resume() }
        }
    }

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if case .waiting(let continuation) = state {
                state = .idle
                return continuation
            }
            state = .signalled
            return nil
        }
        waiter?.resume()
    }
}
