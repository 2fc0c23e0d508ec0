import Bridge
import Foundation
import HTTP
import MCPClient
import OAuth
import Support
import Synchronization

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
    /// Why the connection's transport ended on its own (`MCPConnection.whenLost`), until the
    /// loop acts on it.
    private var lostWith: MCPError?
    private var state: ConnectionState
    private var history: RingBuffer<ConnectionState>
    private var calls: RingBuffer<CallRecord>
    private var authSteps: RingBuffer<AuthStep>
    private var info: ServerInfo?
    private var tools: [Tool] = []
    private var token: TokenSummary?
    /// Clients attached through bridges, by bridge process and client: "claude-code via proxy".
    private var attachedClients: [String: String] = [:]
    /// Failed attempts in a row, for the backoff. A connection that lasts `stableAfter`
    /// starts the count again; one lost sooner (a server crashing right after its start)
    /// does not, so a crash loop backs off as far as a server that never answers.
    private var failures = 0
    private var connectedSince: Date?
    static let stableAfter: Double = 30
    private var callCount = 0
    private var errorCount = 0
    private var nextCallID = 1
    private var callTasks: [Int: Task<Void, Never>] = [:]
    private var pending: [SupervisorCommand] = []
    private let wakeup = Wakeup()
    private var random = SystemRandomNumberGenerator()
    private var warnedHorizon: Date?
    private var pendingLogin: PendingLogin?
    private var loginTask: Task<Void, Never>?
    /// Set while a browser login is cancelled for a device login to take its place.
    private var loginGivingWay = false
    private var loginCancelled = false
    private var stepUpScopes: [String]?

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
        manager = spec.tokenManager(
            store: store, http: http, now: { [clock] in clock.now },
            onStep: { [relay] step in relay.record(.authStep(step)) },
            onChange: { [relay] credential in relay.record(.tokenChanged(credential.map(TokenSummary.init))) })
        relay.attach(self)
    }

    /// Token and auth-step news from the token manager go through `publish`, so the
    /// supervisor's own snapshot (token facts, auth timeline) stays current, not only the
    /// event stream.
    private let relay = EventRelay()

    fileprivate func record(_ kind: MonitorEvent.Kind) {
        publish(kind)
        if case .sessionRenewed(let text) = kind, state.phase == .connected { enter(.connected, text) }
    }

    // MARK: Reading

    public func snapshot() async -> ServerSnapshot {
        ServerSnapshot(
            name: spec.name, transport: spec.endpoint.transportName, target: spec.displayTarget, state: state,
            history: history.all, serverInfo: info, tools: tools, token: token, calls: calls.all,
            authSteps: authSteps.all, callCount: callCount, errorCount: errorCount,
            refreshDue: (try? await manager?.refreshDue()) ?? nil, pendingLogin: pendingLogin,
            stepUpScopes: stepUpScopes, configProblem: spec.problem, usesOAuth: manager != nil,
            attachedClients: attachedClients.values.sorted())
    }

    /// What a bridge reported: a client attached or gone, or a call it made, kept and shown
    /// with the server's own calls.
    public func recordBridged(_ event: BridgeActivity.Event) {
        let key = "\(event.pid) \(event.via) \(event.client)"
        let via = CallRecord.Bridge(client: event.client, via: event.via).description
        switch event.kind {
        case .attached:
            attachedClients[key] = via
            publish(.log("\(via) attached"))
        case .detached:
            guard attachedClients.removeValue(forKey: key) != nil else { return }
            publish(.log("\(via) left"))
        case .call:
            guard let record = CallRecord(bridged: event, id: nextCallID) else { return }
            nextCallID += 1
            callCount += 1
            if record.outcome != .ok { errorCount += 1 }
            calls.append(record)
            publish(.callFinished(record))
        }
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
    /// With `orLoss`, a connection lost (`lostWith`) ends the wait too.
    private func wait(until deadline: Date?, orLoss: Bool = false) async -> SupervisorCommand? {
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            if Task.isCancelled || (orLoss && lostWith != nil) { return nil }
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
        if case .login(.waitingForBrowser(let url, _, _)) = kind { pendingLogin?.url = url }
        if case .login(.waitingForCode(let prompt)) = kind { pendingLogin?.device = prompt }
        hub.publish(MonitorEvent(server: spec.name, time: clock.now, kind: kind))
    }

    // MARK: The loop

    /// Runs until the task is cancelled.
    public func run() async {
        if let problem = spec.problem {
            enter(.config, problem)
            await withTaskCancellationHandler {
                while !Task.isCancelled {
                    if await wait(until: nil) != nil { publish(.log("fix the config first: \(problem)")) }
                }
            } onCancel: { [wakeup] in
                wakeup.signal()
            }
            return
        }
        if let manager, let credential = try? await manager.current() {
            token = TokenSummary(credential)
        }
        await withTaskCancellationHandler {
            await loop()
        } onCancel: { [wakeup] in
            wakeup.signal()
        }
        loginTask?.cancel()
        for task in callTasks.values { task.cancel() }
        await manager?.settle()  // a refresh under way finishes and is stored
        await connection?.close()
        connection = nil
        enter(.idle, "stopped")
    }

    private func loop() async {
        while !Task.isCancelled {
            enter(.connecting, "connecting to \(displayURL(spec.endpoint.target))")
            let authorizer = spec.authorizer(using: manager) { [relay, clock] expiresAt in
                relay.record(.tokenRejected(expiredAt: expiresAt.flatMap { $0 <= clock.now ? $0 : nil }))
            }
            let connection = MCPConnection(endpoint: spec.endpoint, authorizer: authorizer, http: http)
            // A stateful server that forgot our session gets a new one inside the connection;
            // this makes each renewal visible in the history, the event log and the metrics.
            await connection.observeSessionRenewals { [relay] in
                relay.record(.sessionRenewed(MonitorEvent.sessionRenewedText))
            }
            if options.reportsRequests {
                await connection.observeRequests { [relay] request in
                    if request.method != "tools/call" { relay.record(.request(request)) }
                }
            }
            // A stdio server that exits, or an HTTP+SSE stream that closes, shows at once, not
            // at the next health check.
            lostWith = nil
            await connection.whenLost { [weak self, weak connection] error in
                guard let connection else { return }
                Task { await self?.connectionLost(connection, error) }
            }
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
                connectedSince = clock.now
                enter(.connected, "protocol \(info.protocolVersion), \(NumberText.counted(tools.count, "tool"))")
                publish(.toolsListed(count: tools.count))
                try await stayConnected(connection)
                // Asked to connect again.
                failures = 0
                connectedSince = nil
                await connection.close()
                self.connection = nil
            } catch {
                await connection.close()
                self.connection = nil
                lostWith = nil
                if let since = connectedSince, clock.now.timeIntervalSince(since) >= Self.stableAfter { failures = 0 }
                connectedSince = nil
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

    /// The transport of `lost` ended on its own: the loop gives up the connection and recovers.
    private func connectionLost(_ lost: MCPConnection, _ error: MCPError) {
        guard lost === connection else { return }
        lostWith = error
        wake()
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
            if let command = await wait(until: deadline, orLoss: true) {
                if try await handle(command, connection: connection) { return }
                continue
            }
            if let lost = lostWith {
                lostWith = nil
                throw lost
            }
            let now = clock.now
            if let refreshDue, now >= refreshDue {
                try await scheduledRefresh()
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
            return try await refreshOnRequest(connected: connection != nil)
        case .login(let openBrowser, let extraScopes):
            if loginTask != nil {
                cancelLogin()
            } else {
                startLogin(openBrowser: openBrowser, extraScopes: extraScopes, device: spec.oauth.deviceLogin)
            }
            return false
        case .deviceLogin:
            if let loginTask {
                // The browser login gives way; its end is not reported as a cancellation.
                loginGivingWay = true
                loginTask.cancel()
                _ = await loginTask.result
                loginGivingWay = false
            }
            startLogin(openBrowser: false, extraScopes: [], device: true)
            return false
        case .cancelLogin:
            cancelLogin()
            return false
        case .loggedIn:
            return true
        case .forget:
            if let manager {
                let outcome = await Logout(manager: manager, store: store, http: http).run()
                publish(.log("logout: \(outcome)"))
            }
            return true
        }
    }

    /// The scheduled refresh: the token manager keeps a token that still serves when the
    /// server fails transiently, and throws only when none is left.
    private func scheduledRefresh() async throws {
        guard let manager else { return }
        let previous = state
        enter(.refreshing, "refreshing before expiry")
        do {
            _ = try await manager.accessToken()
            enter(previous.phase == .refreshing ? .connected : previous.phase, previous.reason)
        } catch {
            publish(.refreshed(.failure(error)))
            throw error
        }
    }

    /// `r`: refresh now and say what the server did. A transient failure keeps a healthy
    /// connection (the token it has still serves); a refused refresh token ends it. Not
    /// connected, a successful refresh means: try again now. Returns true to connect again.
    private func refreshOnRequest(connected: Bool) async throws -> Bool {
        guard let manager else {
            publish(.log("no login to refresh"))
            return false
        }
        let previous = state
        if connected { enter(.refreshing, "refreshing on request") }
        do {
            let report = try await manager.refreshNow()
            publish(.refreshed(.success(report)))
            if connected { enter(.connected, previous.reason) }
            return !connected
        } catch {
            publish(.refreshed(.failure(error)))
            if error.isTransient {
                if connected { enter(previous.phase, previous.reason) }
                return false
            }
            if connected { throw error }
            if case .needsLogin(let reason) = Self.classify(error, server: spec.name) { enter(.needsLogin, reason) }
            return false
        }
    }

    // MARK: Login beside the connection

    /// Starts a browser login in a task of its own: refreshes, health checks and calls go on
    /// with the stored login meanwhile, and its end (success, failure, timeout, cancel) never
    /// ends the connection. A success is stored and the server connected again with it.
    private func startLogin(openBrowser: Bool, extraScopes: [String], device: Bool) {
        guard manager != nil, let url = spec.httpURL else {
            publish(.login(.notNeeded("\(spec.name) does not use OAuth (stdio or its own Authorization header)")))
            return
        }
        var scopes = extraScopes
        if let stepUpScopes {
            // SEP-2350: what the token has plus what the server asked for.
            for scope in (token?.scopes ?? []) + stepUpScopes where !scopes.contains(scope) { scopes.append(scope) }
        }
        pendingLogin = PendingLogin(url: nil, scopes: scopes, startedAt: clock.now)
        loginCancelled = false
        let name = spec.name
        let flow = LoginFlow(
            serverName: name, serverURL: url, settings: spec.oauth, store: store, http: http,
            onStep: { [relay] step in relay.record(.authStep(step)) })
        var loginOptions = LoginFlow.Options()
        loginOptions.openBrowser = openBrowser
        loginOptions.extraScopes = scopes
        let browser = options.browser
        if browser != nil { loginOptions.openBrowser = false }
        loginOptions.showURL = { [relay, scopes] url, offersDeviceLogin in
            relay.record(.login(.waitingForBrowser(url: url, scopes: scopes, offersDeviceLogin: offersDeviceLogin)))
            browser?(url)
        }
        let showCode: @Sendable (DeviceLoginPrompt) -> Void = { [relay] prompt in
            relay.record(.login(.waitingForCode(prompt)))
        }
        loginTask = Task {
            do throws(OAuthError) {
                let credential =
                    device
                    ? try await flow.runDevice(options: loginOptions, showCode: showCode)
                    : try await flow.run(options: loginOptions)
                await self.loginEnded(.success(credential))
            } catch {
                await self.loginEnded(.failure(error))
            }
        }
    }

    private func cancelLogin() {
        guard let loginTask else { return }
        loginCancelled = true
        loginTask.cancel()
    }

    private func loginEnded(_ outcome: Result<Credential, OAuthError>) async {
        let cancelled = loginCancelled
        loginTask = nil
        loginCancelled = false
        pendingLogin = nil
        if loginGivingWay, case .failure = outcome { return }
        switch outcome {
        case .success(let credential):
            do {
                try await manager?.loginStored()  // the flow stored it
            } catch {
                publish(.login(.failed(error.description)))
                return
            }
            stepUpScopes = nil
            let scopes = credential.scopes.isEmpty ? "" : " (scopes: \(credential.scopes.joined(separator: " ")))"
            publish(.login(.succeeded("logged in\(scopes)")))
            pending.append(.loggedIn)
            wake()
        case .failure(let error):
            if cancelled {
                publish(.login(.cancelled))
            } else if case .notRequired = error.kind {
                publish(.login(.notNeeded(Self.trim(error.description, server: spec.name))))
            } else if case .login(let detail) = error.kind {
                // Whoever shows `.failed` says "login failed:" itself.
                publish(.login(.failed(detail)))
            } else {
                publish(.login(.failed(Self.trim(error.description, server: spec.name))))
            }
        }
    }

    private static func trim(_ text: String, server: String) -> String {
        let prefix = "\(server): "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    /// Sorts a failure into: wait for the user (needs login, configuration), or back off.
    private func recover(from error: Error) async {
        switch Self.classify(error, server: spec.name) {
        case .needsLogin(let reason):
            enter(.needsLogin, reason)
            await waitForUser(orLoginElsewhere: true)
        case .failed(let reason):
            enter(.failed, reason)
            await waitForUser()
        case .retry(let reason):
            failures += 1
            let delay = options.backoff.delay(afterFailures: failures, using: &random)
            let retryAt = clock.now.addingTimeInterval(delay)
            enter(.backoff, reason, retryAt: retryAt)
            // Commands that do not call for a new attempt (a login started) keep the wait.
            while let command = await wait(until: retryAt) {
                if await perform(command) { break }
            }
        }
    }

    /// Needs-login and failed states stay until the user acts (no spinning): a reconnect, a
    /// finished login or a successful refresh lead to a new attempt. Waiting for a login, the
    /// store is looked at every few seconds too: a login made elsewhere (`mcptop auth` in a
    /// terminal, another dashboard) is a new attempt, without a restart.
    private func waitForUser(orLoginElsewhere watchesStore: Bool = false) async {
        let refused = watchesStore ? await loginStamp() : nil
        while !Task.isCancelled {
            let deadline = watchesStore ? clock.now.addingTimeInterval(Self.storeLookInterval) : nil
            guard let command = await wait(until: deadline) else {
                if watchesStore, let stamp = await loginStamp(), stamp != refused {
                    publish(.log("a new login was stored; connecting again"))
                    return
                }
                continue
            }
            if await perform(command) { return }
        }
    }

    /// How often a server that needs a login looks for one made elsewhere.
    public static let storeLookInterval: TimeInterval = 2

    /// What tells one stored, usable login from another: nil when there is none.
    private func loginStamp() async -> String? {
        guard let manager, let credential = try? await manager.current(), credential.unusableReason == nil else {
            return nil
        }
        let obtained = credential.obtainedAt?.timeIntervalSince1970 ?? 0
        return "\(obtained) \(credential.refreshTokenObtainedAt?.timeIntervalSince1970 ?? 0) \(credential.issuer)"
    }

    /// A command while not connected; returns true when it calls for a new attempt.
    private func perform(_ command: SupervisorCommand) async -> Bool {
        do {
            return try await handle(command, connection: nil)
        } catch {
            publish(.log("\(Self.trim("\(error)", server: spec.name))"))
            return false
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
                let (outcome, detail) = self.notConnectedReason()
                self.finishCall(id, started: started, outcome: outcome, detail: detail, result: nil)
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
                } else if case .authorization(let inner) = error.kind {
                    outcome = .authError
                    self.noticeStepUp(inner)
                } else if case .unauthorized = error.kind {
                    outcome = .authError
                } else {
                    outcome = .protocolError
                }
                self.finishCall(
                    id, started: started, outcome: outcome,
                    detail: Self.trim(error.description, server: self.spec.name),
                    result: nil)
            }
        }
        return id
    }

    /// Why a call cannot be sent now, in the words of the dashboard.
    private func notConnectedReason() -> (CallRecord.Outcome, String) {
        switch state.phase {
        case .needsLogin: return (.authError, "needs a login: press a (\(state.reason))")
        case .config: return (.protocolError, "the config entry cannot be used: \(state.reason)")
        default: return (.protocolError, "not connected (\(state.phase.rawValue): \(state.reason))")
        }
    }

    /// A 403 `insufficient_scope`: the next login asks for the scopes the server named.
    private func noticeStepUp(_ error: any Error) {
        guard let oauth = error as? OAuthError, case .insufficientScope(let scopes) = oauth.kind else { return }
        stepUpScopes = scopes.split(separator: " ").map(String.init)
        publish(.log("the server needs the scopes \"\(scopes)\": press a to log in again with them"))
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
