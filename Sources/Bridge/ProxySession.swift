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
    private var inFlight: [JSONRPCID: Task<JSONRPCMessage, Never>] = [:]

    /// `send` carries the answers of `receive` and the notifications of every request.
    public init(
        serverName: String, upstream: any Upstream, ownsUpstream: Bool = true, activity: BridgeActivity.Log? = nil,
        send: @escaping Send
    ) {
        name = serverName
        self.upstream = upstream
        self.ownsUpstream = ownsUpstream
        self.activity = activity
        self.send = send
    }

    /// Handles one message from a client on a stream (stdio): requests are answered by tasks
    /// of their own, so a slow call never holds up a ping or a cancellation.
    public func receive(_ message: JSONRPCMessage) {
        switch message {
        case .request(let id, let method, let params):
            let task = start(id: id, method: method, params: params, notify: send)
            let send = self.send
            Task {
                if let reply = await self.finish(task, id: id) { await send(reply) }
            }
        case .notification("notifications/cancelled", let params):
            // The client gave up: cancelling the task cancels the remote request too.
            if let id = JSONRPCID(params?["requestId"]) { inFlight.removeValue(forKey: id)?.cancel() }
        case .notification, .response, .error:
            // `initialized`, roots changes and answers to requests the proxy never sends.
            break
        }
    }

    /// Answers one request whose answer goes back on the same exchange (an HTTP POST);
    /// `notify` carries what comes before it (progress). Nil when the request was cancelled:
    /// a cancelled request gets no answer (2025-11-25 cancellation.mdx).
    public func respond(
        id: JSONRPCID, method: String, params: JSONValue?, notify: @escaping Send
    ) async -> JSONRPCMessage? {
        await finish(start(id: id, method: method, params: params, notify: notify), id: id)
    }

    /// The client went away: everything it asked for is cancelled.
    public func close() async {
        for task in inFlight.values { task.cancel() }
        inFlight.removeAll()
        if let clientName { activity?.detached(server: name, client: clientName) }
        if ownsUpstream { await upstream.close() }
    }

    private func start(
        id: JSONRPCID, method: String, params: JSONValue?, notify: @escaping Send
    ) -> Task<JSONRPCMessage, Never> {
        let task = Task { await self.answer(id: id, method: method, params: params, notify: notify) }
        inFlight[id] = task
        return task
    }

    private func finish(_ task: Task<JSONRPCMessage, Never>, id: JSONRPCID) async -> JSONRPCMessage? {
        let reply = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        inFlight.removeValue(forKey: id)
        return task.isCancelled ? nil : reply
    }

    private func answer(id: JSONRPCID, method: String, params: JSONValue?, notify: @escaping Send) async
        -> JSONRPCMessage
    {
        noticeClient(params?["clientInfo"] ?? params?["_meta"]?[MetaKey.clientInfo])
        switch method {
        case "initialize": return await initialize(id: id, params: params)
        case "server/discover": return await discover(id: id, params: params)
        case "ping": return .response(id: id, result: completed([:], method: method))
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
        let info = try? await upstream.serverInfo()
        var result: JSONValue = [
            "protocolVersion": .string(agreed),
            "capabilities": Self.capabilities(of: info),
            "serverInfo": serverIdentity(info),
        ]
        if let instructions = instructions(info) { result["instructions"] = .string(instructions) }
        return .response(id: id, result: result)
    }

    /// The stateless discovery (2026-07-28 discover.mdx), answered by the proxy.
    private func discover(id: JSONRPCID, params: JSONValue?) async -> JSONRPCMessage {
        clientVersion = ProtocolVersion.latest
        let info = try? await upstream.serverInfo()
        var result: JSONValue = [
            "supportedVersions": .array(ProtocolVersion.modern.map { .string($0) }),
            "capabilities": Self.capabilities(of: info),
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

    /// What the client may use: the remote's capabilities, less what needs a standing stream
    /// from the server (subscriptions, list-changed notices), which the proxy does not relay.
    /// Before the remote is reached, tools (every remote MCP server's reason to be).
    static func capabilities(of info: ServerInfo?) -> JSONValue {
        guard case .object(var remote)? = info?.capabilities else { return ["tools": [:]] }
        for key in ["tools", "resources", "prompts"] {
            guard case .object(var feature)? = remote[key] else { continue }
            feature["listChanged"] = nil
            feature["subscribe"] = nil
            remote[key] = .object(feature)
        }
        return .object(remote)
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
        // Notifications go out in the order they came, and all of them before the answer
        // (progress "MUST stop after completion", 2025-11-25 progress.mdx).
        let (relays, relayed) = AsyncStream<JSONRPCMessage>.makeStream(bufferingPolicy: .unbounded)
        let relayer = Task {
            for await message in relays { await send(message) }
        }
        defer { relayed.finish() }
        do {
            let result = try await upstream.request(
                method, params: Self.strippingMeta(params), wantsProgress: clientToken != nil
            ) { message in
                if let relay = Self.relay(message, clientToken: clientToken) { relayed.yield(relay) }
            }
            relayed.finish()
            await relayer.value
            report(result["isError"] == .bool(true) ? "isError" : "ok", nil)
            return .response(id: id, result: completed(result, method: method))
        } catch {
            relayed.finish()
            await relayer.value
            let translated = await translate(error, method: method)
            report("error", translated.message)
            return .error(id: id, error: translated)
        }
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
    /// it is, a login the user has to do with the command to run, a method the remote's
    /// revision lacks with both revisions named.
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
        case .authorization, .unauthorized:
            return JSONRPCError(
                code: ErrorCode.needsLogin,
                message: "\(name) needs a login: run 'mcptop auth \(name)' in a terminal (\(Self.reason(error)))")
        default:
            return JSONRPCError(code: ErrorCode.upstreamFailed, message: "\(name): \(Self.reason(error))")
        }
    }

    private static func reason(_ error: MCPError) -> String {
        let text = error.description
        let prefix = "\(error.server): "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }
}
