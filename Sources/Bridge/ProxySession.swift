import MCPClient
import Support

/// One MCP client attached to mcptop as if mcptop were its server: the client speaks its
/// revision to the proxy, the upstream speaks the remote's revision to the remote, and this
/// translates between the two (2026-07-28 stateless.mdx and 2025-11-25 lifecycle.mdx).
///
/// Answered here: `initialize`, `server/discover`, `ping`, `notifications/initialized`.
/// Forwarded: every other request, with the client's request id, progress token and
/// cancellation mapped to the upstream's own. A login that is missing or refused reaches the
/// client as an error naming `mcptop auth NAME`; the proxy never opens a browser.
public actor ProxySession {
    public typealias Send = @Sendable (JSONRPCMessage) async -> Void

    /// Server-side errors of the bridge (JSON-RPC reserves -32000…-32099 for them).
    public enum ErrorCode {
        /// The remote server needs a login the user has to do (`mcptop auth NAME`).
        public static let needsLogin = -32001
        /// The remote server could not be reached or answered with something unusable.
        public static let upstreamFailed = -32002
        /// What the client asked for has no equivalent in the remote's revision.
        public static let revisionMismatch = -32003
    }

    private let name: String
    private let upstream: any Upstream
    private let send: Send
    /// Whether `close()` closes the upstream too (a broker shares one among its clients).
    private let ownsUpstream: Bool
    /// The revision agreed with the client (`initialize`) or named by its requests (stateless).
    private var clientVersion: String?
    /// The client's name as it says (`clientInfo`), once it said it.
    private var clientName: String?
    /// Where the dashboard hears of this client and its calls.
    private let activity: BridgeActivity.Log?
    /// Makes a span of each request, when traces are exported.
    private let tracing: (any BridgeTracing)?
    private var inFlight: [JSONRPCID: Task<JSONRPCMessage?, Never>] = [:]
    /// Answers of a stream client's requests still being worked out or written, by the order
    /// they came in: the end of its input waits for them (`answerPending`).
    private var replying: [Int: Task<JSONRPCMessage?, Never>] = [:]
    private var received = 0
    /// The stream client closed its input: it can answer no more questions.
    private var inputClosed = false
    /// What the client said it can do in `initialize` (stateful revisions).
    private var clientCapabilities: JSONValue = [:]
    /// The proxy's own questions to a stateful client, waiting for its answers.
    private var questions: [JSONRPCID: CheckedContinuation<Result<JSONValue, JSONRPCError>, Never>] = [:]
    private var questionsAsked = 0
    /// Upstream requests waiting for a 2026-07-28 client's retry (shared by a broker's clients).
    private let parked: ParkedRequests
    /// The executor the tasks answering requests prefer (a broker's event loop); nil: none.
    private let executor: (any TaskExecutor)?
    /// The remote's notifications outside requests, when this bridge relays them.
    private let notifications: NotificationRelay?
    /// A stateful client's standing follow of list changes and the resources it subscribed to.
    private var following: Int?
    /// Messages of no request of the client's, in order (stateful clients: stdout, or serve's
    /// GET stream); made when a stateful client starts following.
    private var unsolicited: AsyncStream<JSONRPCMessage>.Continuation?

    /// What a bridge whose upstream serves clients that differ declares to the remote: every
    /// question a bridge can relay (sampling, elicitation, roots).
    public static var bridgedCapabilities: JSONValue { ClientQuestions.all }

    /// `send` carries the answers of `receive` and the notifications of every request.
    public init(
        serverName: String, upstream: any Upstream, ownsUpstream: Bool = true, activity: BridgeActivity.Log? = nil,
        tracing: (any BridgeTracing)? = nil, parked: ParkedRequests = ParkedRequests(),
        notifications: NotificationRelay? = nil, executor: (any TaskExecutor)? = nil, send: @escaping Send
    ) {
        self.executor = executor
        name = serverName
        self.upstream = upstream
        self.ownsUpstream = ownsUpstream
        self.activity = activity
        self.tracing = tracing
        self.parked = parked
        self.notifications = notifications
        self.send = send
    }

    /// Handles one message from a client on a stream (stdio): requests are answered by tasks
    /// of their own, so a slow call never holds up a ping or a cancellation.
    public func receive(_ message: JSONRPCMessage) {
        switch message {
        case .request(let id, let method, let params):
            let send = self.send
            received += 1
            let number = received
            replying[number] = begin(id: id, method: method, params: params, notify: send) { reply in
                if let reply { await send(reply) }
                await self.replied(number)
            }
        case .notification("notifications/cancelled", let params):
            // The client gave up: cancelling the task cancels the remote request too.
            if let id = JSONRPCID(params?["requestId"]) { inFlight.removeValue(forKey: id)?.cancel() }
        case .notification("notifications/roots/list_changed", let params):
            let upstream = self.upstream
            Task { await upstream.notify("notifications/roots/list_changed", params: params) }
        case .response(let id, let result):
            questions.removeValue(forKey: id)?.resume(returning: .success(result))
        case .error(let id?, let error):
            questions.removeValue(forKey: id)?.resume(returning: .failure(error))
        case .notification, .error:
            // `initialized`, and errors about nothing the proxy asked.
            break
        }
    }

    /// Answers one request whose answer goes back on the same exchange (an HTTP POST);
    /// `notify` carries what comes before it (progress). Nil when the request was cancelled:
    /// a cancelled request gets no answer (2025-11-25 cancellation.mdx).
    public func respond(
        id: JSONRPCID, method: String, params: JSONValue?, notify: @escaping Send
    ) async -> JSONRPCMessage? {
        let task = begin(id: id, method: method, params: params, notify: notify) { _ in }
        return await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Starts answering one request in a task of its own, which the client's
    /// `notifications/cancelled` (or cancelling the task) cancels; `deliver` gets the answer,
    /// nil when the request was cancelled, and the task returns it. `notify` carries what
    /// comes before the answer.
    public func begin(
        id: JSONRPCID, method: String, params: JSONValue?, notify: @escaping Send,
        deliver: @escaping @Sendable (JSONRPCMessage?) async -> Void
    ) -> Task<JSONRPCMessage?, Never> {
        let task = Task(executorPreference: executor) { () -> JSONRPCMessage? in
            await self.answerInTask(id: id, method: method, params: params, notify: notify, deliver: deliver)
        }
        inFlight[id] = task
        return task
    }

    private func answerInTask(
        id: JSONRPCID, method: String, params: JSONValue?, notify: @escaping Send,
        deliver: @Sendable (JSONRPCMessage?) async -> Void
    ) async -> JSONRPCMessage? {
        let answer = await traced(id: id, method: method, params: params, notify: notify)
        let reply = Task.isCancelled ? nil : answer
        inFlight.removeValue(forKey: id)
        await deliver(reply)
        return reply
    }

    private func replied(_ number: Int) { replying[number] = nil }

    /// Longest a stdio client's requests are still answered after it closed its input.
    public static let answersAfterInputEnds: Duration = .seconds(60)

    /// The stream client closed its input (stdio: stdin reached EOF), which is how a client
    /// ends the session (stdio.mdx): the requests it already made are still answered and
    /// written, for up to `limit`; what is unanswered then is cancelled. Questions to the
    /// client fail at once, as it can no longer answer them. Cancelling the calling task
    /// (Ctrl-C, SIGTERM) cancels every request at once.
    public func answerPending(within limit: Duration = answersAfterInputEnds) async {
        inputClosed = true
        failQuestions("the client closed its input")
        let pending = Array(replying.values)
        guard !pending.isEmpty else { return }
        let cancelAll = { @Sendable in for task in pending { task.cancel() } }
        let deadline = Task {
            try? await Task.sleep(for: limit)
            if !Task.isCancelled { cancelAll() }
        }
        await withTaskCancellationHandler {
            for task in pending { _ = await task.value }
        } onCancel: {
            cancelAll()
        }
        deadline.cancel()
    }

    private func failQuestions(_ reason: String) {
        for question in questions.values {
            question.resume(returning: .failure(JSONRPCError(code: JSONRPCError.internalError, message: reason)))
        }
        questions.removeAll()
    }

    /// The client went away: everything it asked for is cancelled.
    public func close() async {
        for task in inFlight.values { task.cancel() }
        inFlight.removeAll()
        unsolicited?.finish()
        for task in replying.values { task.cancel() }
        replying.removeAll()
        if let following { await notifications?.remove(following) }
        following = nil
        failQuestions("the client went away")
        if let clientName { activity?.detached(server: name, client: clientName) }
        if ownsUpstream { await upstream.close() }
    }

    /// The answer, inside the tracer's span when there is one.
    private func traced(id: JSONRPCID, method: String, params: JSONValue?, notify: @escaping Send) async
        -> JSONRPCMessage
    {
        guard let tracing else { return await answer(id: id, method: method, params: params, notify: notify) }
        return await tracing.trace(BridgedOperation(server: name, id: id, method: method, params: params)) {
            let message = await self.answer(id: id, method: method, params: params, notify: notify)
            return BridgedOperation.Answer(
                message: message, protocolVersion: await self.clientVersion, clientName: await self.clientName)
        }
    }

    private func answer(id: JSONRPCID, method: String, params: JSONValue?, notify: @escaping Send) async
        -> JSONRPCMessage
    {
        noticeClient(params?["clientInfo"] ?? params?["_meta"]?[MetaKey.clientInfo])
        switch method {
        case "initialize": return await initialize(id: id, params: params)
        case "server/discover": return await discover(id: id, params: params)
        case "ping": return .response(id: id, result: completed([:], method: method))
        case "subscriptions/listen" where notifications != nil:
            return await listen(id: id, params: params, notify: notify)
        case "resources/subscribe" where following != nil, "resources/unsubscribe" where following != nil:
            return await follow(id: id, method: method, params: params)
        default: return await forward(id: id, method: method, params: params, notify: notify)
        }
    }

    /// The first time the client names itself, the dashboard hears it attached.
    private func noticeClient(_ info: JSONValue?) {
        guard clientName == nil, let named = info?["name"]?.stringValue, !named.isEmpty else { return }
        let cleaned = String(named.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(64))
        clientName = cleaned
        activity?.attached(server: name, client: cleaned)
    }

    // MARK: Answered here

    /// The stateful handshake with the client: its revision if the proxy speaks it, else the
    /// newest stateful one; the remote's identity and capabilities when it can be reached.
    private func initialize(id: JSONRPCID, params: JSONValue?) async -> JSONRPCMessage {
        let requested = params?["protocolVersion"]?.stringValue ?? ProtocolVersion.latestStateful
        let offered = ProtocolVersion.stateful + [ProtocolVersion.legacySSE]
        let agreed = offered.contains(requested) ? requested : ProtocolVersion.latestStateful
        clientVersion = agreed
        clientCapabilities = ClientQuestions.bridged(params?["capabilities"])
        // A proxy's upstream is this client's alone: the remote may ask it what it can answer.
        if ownsUpstream { await upstream.declare(capabilities: clientCapabilities) }
        let info = try? await upstream.serverInfo()
        var result: JSONValue = [
            "protocolVersion": .string(agreed),
            "capabilities": Self.capabilities(of: info, relayed: notifications != nil),
            "serverInfo": serverIdentity(info),
        ]
        if let instructions = instructions(info) { result["instructions"] = .string(instructions) }
        if let notifications, following == nil {
            // Every list change the remote sends (a stateful one may send them unannounced);
            // resources once subscribed.
            let (stream, unsolicited) = AsyncStream<JSONRPCMessage>.makeStream(bufferingPolicy: .unbounded)
            self.unsolicited = unsolicited
            let send = self.send
            Task {
                for await message in stream { await send(message) }
            }
            following = await notifications.add(
                NotificationRelay.Filter(lists: Set(NotificationRelay.Filter.listNames))
            ) { unsolicited.yield($0) }
        }
        return .response(id: id, result: result)
    }

    /// The stateless discovery (2026-07-28 discover.mdx), answered by the proxy.
    private func discover(id: JSONRPCID, params: JSONValue?) async -> JSONRPCMessage {
        clientVersion = ProtocolVersion.latest
        if ownsUpstream {
            await upstream.declare(capabilities: ClientQuestions.bridged(params?["_meta"]?[MetaKey.clientCapabilities]))
        }
        let info = try? await upstream.serverInfo()
        var result: JSONValue = [
            "supportedVersions": .array(ProtocolVersion.modern.map { .string($0) }),
            "capabilities": Self.capabilities(of: info, relayed: notifications != nil),
            "_meta": [MetaKey.serverInfo: serverIdentity(info)],
        ]
        if let instructions = instructions(info) { result["instructions"] = .string(instructions) }
        return .response(id: id, result: completed(result, method: "server/discover"))
    }

    private func serverIdentity(_ info: ServerInfo?) -> JSONValue {
        [
            "name": .string(info?.name ?? name),
            "version": .string(info?.version ?? MCPTopVersion.current),
            "title": .string("\(info?.name ?? name) via mcptop"),
        ]
    }

    private func instructions(_ info: ServerInfo?) -> String? {
        guard let info else {
            return "\(name) cannot be reached right now; mcptop keeps trying. If it needs a login: mcptop auth \(name)"
        }
        return info.instructions
    }

    /// What the client may use: the remote's capabilities; without a relay, less what needs a
    /// stream from the server outside requests (subscriptions, list-changed notices). Before
    /// the remote is reached, tools (every remote MCP server's reason to be).
    static func capabilities(of info: ServerInfo?, relayed: Bool) -> JSONValue {
        guard case .object(var remote)? = info?.capabilities else { return ["tools": [:]] }
        guard !relayed else { return .object(remote) }
        for key in ["tools", "resources", "prompts"] {
            guard case .object(var feature)? = remote[key] else { continue }
            feature["listChanged"] = nil
            feature["subscribe"] = nil
            remote[key] = .object(feature)
        }
        return .object(remote)
    }

    // MARK: Notifications outside requests

    /// A stateful client's `resources/subscribe` or `unsubscribe`: the relay asks the remote
    /// (one subscription per resource, whoever asked) and the client hears the updates.
    private func follow(id: JSONRPCID, method: String, params: JSONValue?) async -> JSONRPCMessage {
        guard let notifications, let following, let uri = params?["uri"]?.stringValue else {
            return .error(
                id: id, error: JSONRPCError(code: JSONRPCError.invalidParams, message: "\(method) needs a uri"))
        }
        var filter = await notifications.filter(of: following) ?? NotificationRelay.Filter()
        if method == "resources/subscribe" { filter.resources.insert(uri) } else { filter.resources.remove(uri) }
        do {
            try await notifications.update(following, filter: filter)
        } catch {
            return .error(id: id, error: await translate(error, method: method))
        }
        return .response(id: id, result: [:])
    }

    /// A 2026-07-28 client's `subscriptions/listen` (subscriptions.mdx): acknowledged with what
    /// the remote announces, then every matching notification, tagged with the subscription,
    /// until the client cancels it (no answer then, as for any cancelled request).
    private func listen(id: JSONRPCID, params: JSONValue?, notify: @escaping Send) async -> JSONRPCMessage {
        guard let notifications else {
            return .error(id: id, error: JSONRPCError(code: JSONRPCError.methodNotFound, message: "no relay"))
        }
        let info: ServerInfo
        do {
            info = try await upstream.serverInfo()
        } catch {
            return .error(id: id, error: await translate(error, method: "subscriptions/listen"))
        }
        var filter = NotificationRelay.Filter(listen: params?["notifications"])
        if info.isStateless {
            // What the remote's own stream can carry; a stateful remote sends list changes
            // unasked (sometimes unannounced), and resources where it takes subscriptions.
            filter.lists.formIntersection(NotificationRelay.Filter.lists(announcedBy: info.capabilities))
        }
        if info.capabilities["resources"]?["subscribe"] != .bool(true) { filter.resources = [] }
        let tag: @Sendable (JSONRPCMessage) -> JSONRPCMessage = { message in
            guard case .notification(let method, let params) = message else { return message }
            var tagged = params ?? [:]
            var meta = tagged["_meta"] ?? [:]
            meta[MetaKey.subscriptionID] = id.json
            tagged["_meta"] = meta
            return .notification(method: method, params: tagged)
        }
        let (stream, continuation) = AsyncStream<JSONRPCMessage>.makeStream(bufferingPolicy: .unbounded)
        continuation.yield(
            tag(
                .notification(
                    method: "notifications/subscriptions/acknowledged", params: ["notifications": filter.listen])))
        let listener = await notifications.add(filter) { continuation.yield(tag($0)) }
        await withTaskCancellationHandler {
            for await message in stream { await notify(message) }
        } onCancel: {
            continuation.finish()
        }
        await notifications.remove(listener)
        return .response(
            id: id, result: completed(["_meta": [MetaKey.subscriptionID: id.json]], method: "subscriptions/listen"))
    }

    // MARK: Forwarded

    private func forward(id: JSONRPCID, method: String, params: JSONValue?, notify send: @escaping Send) async
        -> JSONRPCMessage
    {
        if let problem = checkRevision(of: params) { return .error(id: id, error: problem) }
        let clientToken = params?["_meta"]?["progressToken"]
        let started = ContinuousClock.now
        func report(_ outcome: String, _ detail: String?) {
            guard method == "tools/call", let activity else { return }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            activity.call(
                server: name, client: clientName ?? "a client", tool: params?["name"]?.stringValue ?? "?",
                seconds: seconds, outcome: Task.isCancelled ? "cancelled" : outcome, detail: detail)
        }
        // Notifications (and a stateful client's questions), in order, before the answer.
        let relayed = OrderedSender(send)
        defer { relayed.end() }
        let notifications = self.notifications
        let sink: @Sendable (JSONRPCMessage) -> Void = { message in
            if let relay = Self.relay(message, clientToken: clientToken) {
                relayed.yield(relay)
            } else {
                notifications?.publish(message)  // a list change that came on this request's stream
            }
        }
        let modernClient = clientVersion.map(ProtocolVersion.isModern) == true
        let event: ForwardedRequest.Event
        var parkable: ForwardedRequest?
        if modernClient, let state = params?["requestState"]?.stringValue, let waiting = parked.take(state) {
            // A 2026-07-28 client's answers to what a stateful remote asked mid-request.
            waiting.resume(answers: params?["inputResponses"], sink: sink)
            parkable = waiting
            event = await waiting.next()
        } else {
            let upstream = self.upstream
            let capabilities =
                modernClient
                ? ClientQuestions.bridged(params?["_meta"]?[MetaKey.clientCapabilities]) : clientCapabilities
            let forwarded = Self.strippingMeta(params)
            let wantsProgress = clientToken != nil
            let askClient: ServerRequestHandler? =
                modernClient
                ? nil
                : { @Sendable [weak self] method, params in
                    await self?.ask(method, params, via: { relayed.yield($0) })
                        ?? .failure(JSONRPCError(code: JSONRPCError.internalError, message: "the client went away"))
                }
            let server = name
            let remoteIsStateful = (try? await upstream.serverInfo()).map { !$0.isStateless } ?? true
            if modernClient, remoteIsStateful {
                // The remote may ask mid-request, and this client answers by retrying: the
                // request runs on its own, to wait parked for the retry.
                let request = ForwardedRequest(sink: sink)
                request.start { notify, askRetrying throws(MCPError) in
                    try await Self.call(
                        upstream, server: server, method, params: forwarded, wantsProgress: wantsProgress,
                        capabilities: capabilities, notify: notify, ask: askRetrying, answersInputRequired: nil)
                }
                parkable = request
                event = await request.next()
            } else {
                // Asked of this (stateful) client directly, or not at all: a 2026-07-28 remote
                // asks with input_required, which a 2026-07-28 client answers itself.
                do throws(MCPError) {
                    event = .finished(
                        .success(
                            try await Self.call(
                                upstream, server: server, method, params: forwarded, wantsProgress: wantsProgress,
                                capabilities: capabilities, notify: sink, ask: askClient ?? Self.noQuestions,
                                answersInputRequired: askClient)))
                } catch {
                    event = .finished(.failure(error))
                }
            }
        }
        await relayed.finish()
        switch event {
        case .question(let key, let asked, let askedParams):
            // The stateful remote waits; the client answers by retrying (2026-07-28 mrtr.mdx).
            var question: JSONValue = ["method": .string(asked)]
            if let askedParams { question["params"] = askedParams }
            let result: JSONValue = [
                "resultType": "input_required", "inputRequests": [key: question],
                "requestState": .string(parkable.map(parked.park) ?? ""),
            ]
            return .response(id: id, result: result)
        case .finished(.success(let result)):
            if result["resultType"] != "input_required" {
                report(result["isError"] == .bool(true) ? "isError" : "ok", nil)
            }
            return .response(id: id, result: completed(result, method: method))
        case .finished(.failure(let error)):
            let translated = await translate(error, method: method)
            report("error", translated.message)
            return .error(id: id, error: translated)
        }
    }

    /// The upstream request, and for a stateful client the rounds of a 2026-07-28 remote's
    /// `input_required`: each question is asked of the client and the request retried with its
    /// answers and the remote's `requestState`, at most `ClientQuestions.maxRounds` times.
    private static func call(
        _ upstream: any Upstream, server: String, _ method: String, params: JSONValue?, wantsProgress: Bool,
        capabilities: JSONValue,
        notify: @escaping @Sendable (JSONRPCMessage) -> Void, ask: @escaping ServerRequestHandler,
        answersInputRequired askClient: ServerRequestHandler?
    ) async throws(MCPError) -> JSONValue {
        var result = try await upstream.request(
            method, params: params, wantsProgress: wantsProgress, capabilities: capabilities,
            onNotification: notify, onRequest: ask)
        guard let askClient else { return result }
        var rounds = 0
        while result["resultType"] == "input_required" {
            rounds += 1
            guard rounds <= ClientQuestions.maxRounds else {
                throw MCPError(
                    server: server,
                    .unsupported("the server asked for input more than \(ClientQuestions.maxRounds) times"))
            }
            var answers: JSONValue = [:]
            for (key, question) in result["inputRequests"]?.objectValue ?? [:] {
                let asked = question["method"]?.stringValue ?? ""
                switch await askClient(asked, question["params"]) {
                case .success(let answer): answers[key] = answer
                case .failure(let refusal): throw MCPError(server: server, .rpc(refusal))
                }
            }
            var retry = params ?? [:]
            retry["inputResponses"] = answers
            retry["requestState"] = result["requestState"]
            result = try await upstream.request(
                method, params: retry, wantsProgress: wantsProgress, capabilities: capabilities,
                onNotification: notify, onRequest: ask)
        }
        return result
    }

    /// A 2026-07-28 remote asks with input_required, never mid-request (mrtr.mdx).
    private static let noQuestions: ServerRequestHandler = { method, _ in
        .failure(JSONRPCError(code: JSONRPCError.methodNotFound, message: "\(method) is asked with input_required"))
    }

    /// Asks a stateful client what the remote asked (a request of the proxy's own, on the
    /// request's stream), when the client said it can answer it.
    private func ask(
        _ method: String, _ params: JSONValue?, via send: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async -> Result<JSONValue, JSONRPCError> {
        guard let needed = ClientQuestions.capability(for: method), clientCapabilities[needed] != nil else {
            return .failure(
                JSONRPCError(
                    code: JSONRPCError.methodNotFound,
                    message: "\(clientName ?? "the client") did not declare what \(method) needs"))
        }
        guard !inputClosed else {
            return .failure(
                JSONRPCError(code: JSONRPCError.internalError, message: "the client closed its input before \(method)"))
        }
        questionsAsked += 1
        let id = JSONRPCID.string("mcptop-\(questionsAsked)")
        let deadline = Task { [weak self] in
            try? await Task.sleep(for: ClientQuestions.answerDeadline)
            await self?.answer(
                id,
                .failure(JSONRPCError(code: JSONRPCError.internalError, message: "the client did not answer \(method)"))
            )
        }
        defer { deadline.cancel() }
        return await withCheckedContinuation { continuation in
            questions[id] = continuation
            send(.request(id: id, method: method, params: params))
        }
    }

    private func answer(_ id: JSONRPCID, _ outcome: Result<JSONValue, JSONRPCError>) {
        questions.removeValue(forKey: id)?.resume(returning: outcome)
    }

    /// A stateless client names its revision on every request; one the proxy does not speak
    /// gets the revision's own error with the list to choose from.
    private func checkRevision(of params: JSONValue?) -> JSONRPCError? {
        guard let version = params?["_meta"]?[MetaKey.protocolVersion]?.stringValue else { return nil }
        clientVersion = version
        guard !ProtocolVersion.isModern(version) else { return nil }
        return JSONRPCError(
            code: JSONRPCError.unsupportedProtocolVersion,
            message: "unsupported protocol version \(version) in _meta (use initialize for stateful revisions)",
            data: ["supported": .array(ProtocolVersion.modern.map { .string($0) })])
    }

    /// The client's `_meta` without what belongs to its own hop (revision, identity,
    /// capabilities, progress token): the upstream adds the remote's. The rest (a log-level
    /// opt-in, the client's own keys) goes along.
    static func strippingMeta(_ params: JSONValue?) -> JSONValue? {
        guard case .object(var object)? = params, case .object(var meta)? = object["_meta"] else { return params }
        for key in [MetaKey.protocolVersion, MetaKey.clientInfo, MetaKey.clientCapabilities, "progressToken"] {
            meta[key] = nil
        }
        object["_meta"] = meta.isEmpty ? nil : .object(meta)
        return .object(object)
    }

    /// A notification from the remote, as the client should see it: progress carries the
    /// client's own token (none asked for, none sent); log messages pass as they are.
    static func relay(_ message: JSONRPCMessage, clientToken: JSONValue?) -> JSONRPCMessage? {
        guard case .notification(let method, let params) = message else { return nil }
        switch method {
        case "notifications/progress":
            guard let clientToken, case .object(var object)? = params else { return nil }
            object["progressToken"] = clientToken
            return .notification(method: method, params: .object(object))
        case "notifications/message":
            return message
        default:
            return nil
        }
    }

    /// Results of 2026-07-28 that a client may cache (schema.ts, CacheableResult).
    static let cacheable: Set<String> = [
        "server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list",
        "resources/read",
    ]

    /// Results as the client's revision writes them: 2026-07-28 results say `resultType`, and
    /// cacheable ones `ttlMs` and `cacheScope`. From an older server nothing says how long a
    /// list holds, so: stale at once (0), and private (it came through a login).
    private func completed(_ result: JSONValue, method: String) -> JSONValue {
        guard case .object(var object) = result else { return result }
        if clientVersion.map(ProtocolVersion.isModern) == true {
            if object["resultType"] == nil { object["resultType"] = "complete" }
            if Self.cacheable.contains(method) {
                if object["ttlMs"] == nil { object["ttlMs"] = 0 }
                if object["cacheScope"] == nil { object["cacheScope"] = "private" }
            }
        } else {
            object["resultType"] = nil
        }
        return .object(object)
    }

    /// An upstream failure as a JSON-RPC error the client can show: the remote's own error as
    /// it is, an authorization server unreachable for now as such, a login the user has to do
    /// with the command to run, a method the remote's revision lacks with both revisions named.
    private func translate(_ error: MCPError, method: String) async -> JSONRPCError {
        switch error.kind {
        case .rpc(let remote):
            guard remote.code == JSONRPCError.methodNotFound, let theirs = try? await upstream.serverInfo(),
                let mine = clientVersion, theirs.protocolVersion != mine
            else { return remote }
            return JSONRPCError(
                code: ErrorCode.revisionMismatch,
                message:
                    "\(name) does not offer \(method): the client speaks MCP \(mine), \(name) speaks \(theirs.protocolVersion) (\(remote.message))",
                data: ["clientRevision": .string(mine), "serverRevision": .string(theirs.protocolVersion)])
        case .authorization(let inner as any AdvisedFailure) where inner.isTransient:
            // Unreachable or failing for now (a refresh that could not connect): the login is
            // intact, and the next request tries again.
            return JSONRPCError(
                code: ErrorCode.upstreamFailed,
                message:
                    "\(name): its authorization server could not be reached; mcptop tries again on the next request, no new login is needed (\(Self.reason(inner.description(for: .bare), server: error.server)))"
            )
        case .authorization, .unauthorized:
            return JSONRPCError(
                code: ErrorCode.needsLogin,
                message: "\(name) needs a login: run 'mcptop auth \(name)' in a terminal (\(Self.reason(error)))")
        default:
            return JSONRPCError(code: ErrorCode.upstreamFailed, message: "\(name): \(Self.reason(error))")
        }
    }

    private static func reason(_ error: MCPError) -> String {
        reason(error.description, server: error.server)
    }

    /// A description without the server's name in front (the message names it already).
    private static func reason(_ text: String, server: String) -> String {
        let prefix = "\(server): "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }
}
