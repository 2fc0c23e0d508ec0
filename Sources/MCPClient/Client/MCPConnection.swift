import Foundation
import HTTP
import Support
import Synchronization

/// A connection to one MCP server over any transport and revision: negotiates the revision,
/// lists and calls tools, and survives a server forgetting its session. Credentials come from
/// the authorizer at the moment each request is sent.
public actor MCPConnection {
    public nonisolated let endpoint: ServerEndpoint
    private let authorizer: any Authorizer
    private let http: HTTPClient
    let clientInfo: ClientInfo

    /// The transport of the session being made or in use.
    private(set) var wire: (any MessageTransport)?
    private var info: ServerInfo?
    private var connecting: Handshake?
    private var nextID: Int64 = 1
    /// x-mcp-header mappings of the tools seen in `tools/list`, by tool name.
    private var parameterHeaders: [String: ParameterHeaders] = [:]
    /// Tools dropped from the last listing, with the reason (invalid definitions).
    public private(set) var rejectedTools: [(name: String, reason: String)] = []
    /// What mcptop says it can do as a client (`initialize` and the 2026-07-28 `_meta`): nothing
    /// for its own use; what a bridge's clients can do (sampling, elicitation, roots) for a bridge.
    private(set) var capabilities: JSONValue = [:]
    /// The bridge's handlers for server requests that arrive outside a request's own stream
    /// (stdio, HTTP+SSE), by the order their requests were sent: the newest takes them.
    private var serverRequestHandlers: [Int64: ServerRequestHandler] = [:]
    /// Where notifications that belong to no request go (list changes, resource updates).
    private var notificationObserver: (@Sendable (JSONRPCMessage) -> Void)?
    /// The server forgot our session (HTTP 404) and no new one is made yet.
    private var sessionLost = false
    /// Told each time a new session replaces one the server forgot.
    private var sessionRenewalObserver: (@Sendable () -> Void)?
    /// Sessions made to replace one the server forgot, over this connection's life.
    public private(set) var sessionRenewals = 0
    /// Told of each request sent and how it ended (a monitor's traces).
    private var requestObserver: (@Sendable (RequestRecord) -> Void)?
    /// Told when the transport in use ends on its own (`whenLost`).
    private var lossObserver: (@Sendable (MCPError) -> Void)?

    public init(
        endpoint: ServerEndpoint, authorizer: (any Authorizer)? = nil, http: HTTPClient = .shared,
        clientInfo: ClientInfo = ClientInfo()
    ) {
        self.endpoint = endpoint
        self.authorizer = authorizer ?? StaticAuthorizer(headers: endpoint.headers)
        self.http = http
        self.clientInfo = clientInfo
    }

    public var serverInfo: ServerInfo? { info }

    /// What mcptop declares it can do as a client, for the handshakes to come: a bridge declares
    /// what its clients can do, so the server may ask them (sampling, elicitation, roots).
    public func declare(capabilities: JSONValue) {
        self.capabilities = capabilities
    }

    /// Receives the server's notifications that belong to no request of ours (list changes,
    /// resource updates), as a bridge relays them to its clients.
    public func observeNotifications(_ observer: @escaping @Sendable (JSONRPCMessage) -> Void) {
        notificationObserver = observer
    }

    /// Hears of each new session made because the server forgot ours (HTTP 404 on its
    /// `Mcp-Session-Id`), as it is made: once per renewal, however the loss was noticed.
    public func observeSessionRenewals(_ observer: @escaping @Sendable () -> Void) {
        sessionRenewalObserver = observer
    }

    /// Hears of each request this connection sends, once it is answered or has failed:
    /// handshakes, listings, pings and calls alike.
    public func observeRequests(_ observer: @escaping @Sendable (RequestRecord) -> Void) {
        requestObserver = observer
    }

    /// The session in use is gone: the next handshake makes its renewal.
    private func forget(session lost: ServerInfo) {
        guard info?.sessionID == lost.sessionID else { return }  // a concurrent request renewed it
        info = nil
        sessionLost = true
    }

    private var name: String { endpoint.name }

    func fail(_ kind: MCPError.Kind) -> MCPError { MCPError(server: name, kind) }

    /// A step that got no answer in time, named with the server's address: "timed out talking
    /// to URL: no answer to tools/list within 2 s".
    func noAnswer(to method: String, within seconds: Double) -> MCPError {
        fail(
            .connection(
                HTTPError(
                    .timeout, url: endpoint.target,
                    detail: "no answer to \(method) within \(JSONValue.format(seconds)) s"))
        )
    }

    private var sender: AuthorizedHTTP {
        AuthorizedHTTP(serverName: name, http: http, authorizer: authorizer, maxBodyBytes: endpoint.maxBodyBytes)
    }

    // MARK: - Connecting

    /// Connects and negotiates the revision; a no-op when already connected. Every step has
    /// a deadline (the endpoint's timeouts), and cancelling the caller cancels the handshake.
    @discardableResult
    public func connect() async throws(MCPError) -> ServerInfo {
        if let info { return info }
        // Concurrent callers share one handshake rather than each opening a session.
        if let connecting { return try await connecting.wait(server: name) }
        let handshake = Handshake(Task { () async throws -> ServerInfo in try await self.establish() })
        connecting = handshake
        defer { if connecting === handshake { connecting = nil } }
        return try await handshake.wait(server: name)
    }

    /// One handshake, shared by the callers of `connect()` while it runs. It runs in a task of
    /// its own, which the callers' cancellation does not reach by itself: it is cancelled when
    /// every caller waiting for it has been, so a Ctrl-C or a stopping monitor is not held up
    /// by a server that never answers, and one caller's cancellation does not fail another's.
    private final class Handshake: Sendable {
        let task: Task<ServerInfo, Error>
        /// Callers waiting and not cancelled.
        private let waiting = Mutex(0)

        init(_ task: Task<ServerInfo, Error>) {
            self.task = task
        }

        func wait(server: String) async throws(MCPError) -> ServerInfo {
            waiting.withLock { $0 += 1 }
            do {
                return try await withTaskCancellationHandler {
                    try await task.value
                } onCancel: {
                    let last = waiting.withLock { count -> Bool in
                        count -= 1
                        return count == 0
                    }
                    if last { task.cancel() }
                }
            } catch let error as MCPError {
                throw error
            } catch {
                throw MCPError(server: server, .cancelled)
            }
        }
    }

    /// Opens the transport the endpoint names and negotiates a revision on it (Negotiation.swift).
    private func establish() async throws(MCPError) -> ServerInfo {
        let pinned = endpoint.protocolVersion
        if let pinned, !ProtocolVersion.all.contains(pinned) {
            throw fail(.unsupportedVersion(offered: [pinned]))
        }
        let connected: ServerInfo
        switch endpoint.transport {
        case .streamableHTTP(let url):
            wire = StreamableHTTPTransport(endpoint: url, sender: sender, connectTimeout: endpoint.connectTimeout)
            do {
                connected = try await negotiateHTTP(url: url, pinned: pinned)
            } catch {
                wire = nil
                throw error
            }
        case .legacySSE(let url):
            connected = try await connectLegacySSE(url: url)
        case .stdio(let command, let arguments, let environment, let workingDirectory):
            let transport = try StdioTransport(
                serverName: name, command: command, arguments: arguments, environment: environment,
                workingDirectory: workingDirectory, maxLineBytes: endpoint.maxBodyBytes,
                onServerMessage: serverMessageHandler())
            wire = transport
            do {
                connected = try await negotiateStdio(pinned: pinned)
            } catch {
                await transport.close()
                wire = nil
                throw error
            }
        }
        info = connected
        if let wire { watchForLoss(wire) }
        if sessionLost {
            sessionLost = false
            sessionRenewals += 1
            sessionRenewalObserver?()
        }
        return connected
    }

    /// The deprecated HTTP+SSE transport: named by the config, or found by the fallback.
    func connectLegacySSE(url: String) async throws(MCPError) -> ServerInfo {
        let transport = LegacySSETransport(
            sseURL: url, sender: sender, connectTimeout: endpoint.connectTimeout,
            onServerMessage: serverMessageHandler())
        wire = transport
        do {
            try await transport.connect()
            return try await initialize(version: ProtocolVersion.legacySSE, transport: .sse)
        } catch {
            transport.close()
            wire = nil
            throw error
        }
    }

    /// Calls `handler` each time the transport of an established connection ends on its own,
    /// with why (a stdio server exited, an HTTP+SSE stream closed), so that a monitor can say so
    /// at once rather than at its next health check. Not when `close()` ends it.
    public func whenLost(_ handler: @escaping @Sendable (MCPError) -> Void) {
        lossObserver = handler
    }

    private func watchForLoss(_ transport: any MessageTransport) {
        transport.whenLost { [weak self] error in
            Task { await self?.lost(transport, error) }
        }
    }

    private func lost(_ transport: any MessageTransport, _ error: MCPError) {
        // A transport this connection has already let go of (closed, replaced) is no news.
        guard let wire, wire as AnyObject === transport as AnyObject else { return }
        lossObserver?(error)
    }

    /// Ends the session (DELETE for stateful HTTP) and stops a stdio server.
    public func close() async {
        let current = wire
        wire = nil
        info = nil
        await current?.close()
    }

    // MARK: - Operations

    /// The most `tools/list` pages followed: a server that hands out a new cursor for ever
    /// would keep a listing (and its memory) growing without end. A thousand pages hold a
    /// hundred thousand tools at a page size of a hundred.
    public static let maxToolPages = 1000

    /// Every tool, following `nextCursor` through all pages (at most `maxToolPages`).
    public func listTools() async throws(MCPError) -> [Tool] {
        try await connect()
        var tools: [Tool] = []
        var rejected: [(String, String)] = []
        var headers: [String: ParameterHeaders] = [:]
        var cursor: String?
        var seenCursors = Set<String>()
        repeat {
            if seenCursors.count >= Self.maxToolPages {
                throw fail(
                    .protocolViolation(
                        "tools/list went on for more than \(Self.maxToolPages) pages (\(tools.count) tools); "
                            + "mcptop stops there"))
            }
            let params: JSONValue? = cursor.map { ["cursor": .string($0)] }
            let result = try await request("tools/list", params: params)
            guard let page = result["tools"]?.arrayValue else {
                throw fail(.protocolViolation("tools/list result has no tools array"))
            }
            for entry in page {
                guard let tool = Tool(json: entry) else {
                    rejected.append((entry["name"]?.stringValue ?? "?", "no name"))
                    continue
                }
                if isHTTP {
                    switch ParameterHeaders.parse(inputSchema: tool.inputSchema) {
                    case .success(let mapping): headers[tool.name] = mapping
                    case .failure(let problem):
                        rejected.append((tool.name, problem.reason))
                        continue
                    }
                }
                tools.append(tool)
            }
            cursor = result["nextCursor"]?.stringValue
            if let next = cursor, !seenCursors.insert(next).inserted {
                throw fail(.protocolViolation("tools/list repeated the cursor \(next)"))
            }
        } while cursor != nil
        parameterHeaders = headers
        rejectedTools = rejected
        return tools
    }

    /// Calls a tool. Progress notifications arrive on `onProgress`. Cancelling the task cancels
    /// the call on the server too.
    public func callTool(
        _ toolName: String, arguments: JSONValue? = nil, timeout: Double? = nil,
        onProgress: (@Sendable (Progress) -> Void)? = nil
    ) async throws(MCPError) -> ToolResult {
        try await connect()
        var params: JSONValue = ["name": .string(toolName)]
        if let arguments { params["arguments"] = arguments }
        do {
            let result = try await request(
                "tools/call", params: params, timeout: timeout, hooks: RequestHooks(onProgress: onProgress))
            return ToolResult(json: result)
        } catch {
            // A server whose tool gained x-mcp-header annotations since we listed: list again
            // and retry once (streamable-http.mdx, Client Behavior).
            guard isHTTP, case .rpc(let rpcError) = error.kind,
                rpcError.code == JSONRPCError.headerMismatch
            else { throw error }
            _ = try await listTools()
            let result = try await request(
                "tools/call", params: params, timeout: timeout, hooks: RequestHooks(onProgress: onProgress))
            return ToolResult(json: result)
        }
    }

    /// Any request, for a bridge: sent in the revision negotiated with the server, renewing a
    /// forgotten session and, for `tools/call`, listing again after an x-mcp-header mismatch.
    /// Progress, when asked for, reaches `onNotification` as `notifications/progress` (with a
    /// token of the connection's own), as do the other notifications about the request. The
    /// server's requests to the client while it runs (stateful revisions) go to `onRequest`,
    /// and a 2026-07-28 `input_required` result is returned as it is: the bridge's client
    /// answers both. `capabilities` are the bridge client's, for the 2026-07-28 `_meta`.
    /// Cancelling the task cancels the request on the server.
    public func forward(
        _ method: String, params: JSONValue?, wantsProgress: Bool, capabilities: JSONValue? = nil,
        onNotification: @escaping @Sendable (JSONRPCMessage) -> Void,
        onRequest: ServerRequestHandler? = nil
    ) async throws(MCPError) -> JSONValue {
        try await connect()
        var hooks = RequestHooks(
            onNotification: onNotification, onServerRequest: onRequest, capabilities: capabilities,
            returnsInputRequired: true)
        if wantsProgress {
            hooks.onProgress = { progress in
                onNotification(.notification(method: "notifications/progress", params: progress.json))
            }
        }
        let handlerKey = nextID
        if let onRequest { serverRequestHandlers[handlerKey] = onRequest }
        defer { serverRequestHandlers[handlerKey] = nil }
        do {
            return try await request(method, params: params, hooks: hooks)
        } catch {
            guard method == "tools/call", isHTTP, case .rpc(let rpcError) = error.kind,
                rpcError.code == JSONRPCError.headerMismatch
            else { throw error }
            _ = try await listTools()
            return try await request(method, params: params, hooks: hooks)
        }
    }

    /// Receives the server's notifications outside requests (list changes, resource updates)
    /// until the stream that carries them ends (returns true) or the task is cancelled: on
    /// 2026-07-28 a `subscriptions/listen` request for `filter` (subscriptions.mdx), on a
    /// stateful Streamable HTTP session its GET stream. On stdio and HTTP+SSE they come on the
    /// one stream anyway and reach the observer: returns false at once, as it does for a
    /// server that offers no such stream (a GET answered 405, a `subscriptions/listen`
    /// answered "method not found"), which is not asked again.
    public func listen(filter: JSONValue, onNotification: @escaping @Sendable (JSONRPCMessage) -> Void)
        async throws(MCPError) -> Bool
    {
        let connected = try await connect()
        if connected.isStateless {
            do {
                _ = try await request(
                    "subscriptions/listen", params: ["notifications": filter], timeout: .infinity,
                    hooks: RequestHooks(onNotification: onNotification))
            } catch {
                if error.rpcError?.code == JSONRPCError.methodNotFound { return false }
                throw error
            }
            return true
        }
        guard let http = wire as? StreamableHTTPTransport else { return false }
        let answerServer = serverMessageHandler()
        do {
            try await http.listen(version: connected.protocolVersion) { message in
                if case .notification = message { onNotification(message) } else { answerServer(message) }
            }
        } catch {
            if case .unsupported = error.kind { return false }
            if case .sessionExpired = error.kind { forget(session: connected) }
            throw error
        }
        return true
    }

    /// A notification for the server, from a bridge's client (roots changed); dropped when
    /// not connected or the revision has no channel for it.
    public func forwardNotification(_ method: String, params: JSONValue?) async {
        guard let version = info?.protocolVersion, !ProtocolVersion.isModern(version) else { return }
        try? await notify(method, params: params, version: version, timeout: endpoint.requestTimeout)
    }

    /// A cheap liveness check suited to the revision: `ping` with a session, `server/discover`
    /// without one.
    public func ping() async throws(MCPError) {
        let connected = try await connect()
        if connected.isStateless {
            _ = try await request("server/discover", params: nil)
        } else {
            _ = try await request("ping", params: nil)
        }
    }

    /// Streamable HTTP has rules of its own: `x-mcp-header` tools, cancelling by closing the stream.
    private var isHTTP: Bool { wire?.kind == .streamableHTTP }

    // MARK: - Requests

    /// A request on the connected session. A stateful server that forgot our session gets a
    /// new one and the request is sent once more.
    private func request(
        _ method: String, params: JSONValue?, timeout: Double? = nil, hooks: RequestHooks = RequestHooks()
    ) async throws(MCPError) -> JSONValue {
        guard let connected = info else { throw fail(.protocolViolation("not connected")) }
        do {
            return try await send(
                method, params: params, version: connected.protocolVersion,
                timeout: timeout ?? endpoint.requestTimeout, hooks: hooks)
        } catch {
            guard case .sessionExpired = error.kind else { throw error }
            forget(session: connected)
            try await connect()
            guard let renewed = info else { throw error }
            return try await send(
                method, params: params, version: renewed.protocolVersion,
                timeout: timeout ?? endpoint.requestTimeout, hooks: hooks)
        }
    }

    /// Sends one request under `version` on the current transport and reads its result; the
    /// request observer, if any, hears how it went.
    func send(
        _ method: String, params: JSONValue?, version: String, timeout: Double,
        isInitialize: Bool = false, hooks: RequestHooks = RequestHooks()
    ) async throws(MCPError) -> JSONValue {
        guard let requestObserver else {
            return try await exchange(
                method, params: params, version: version, timeout: timeout, isInitialize: isInitialize, hooks: hooks)
        }
        let startedAt = Date()
        let started = ContinuousClock.now
        func record(_ error: MCPError?) {
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            requestObserver(
                RequestRecord(
                    method: method, protocolVersion: version, startedAt: startedAt, seconds: seconds,
                    errorType: error?.errorType))
        }
        do {
            let result = try await exchange(
                method, params: params, version: version, timeout: timeout, isInitialize: isInitialize, hooks: hooks)
            record(nil)
            return result
        } catch {
            record(error)
            throw error
        }
    }

    private func exchange(
        _ method: String, params: JSONValue?, version: String, timeout: Double,
        isInitialize: Bool, hooks: RequestHooks
    ) async throws(MCPError) -> JSONValue {
        let id = JSONRPCID.number(nextID)
        nextID += 1
        let modern = ProtocolVersion.isModern(version)
        var body = params ?? [:]
        var meta = body["_meta"] ?? [:]
        if hooks.onProgress != nil { meta["progressToken"] = .string("mcptop-\(id)") }
        if modern {
            meta[MetaKey.protocolVersion] = .string(version)
            meta[MetaKey.clientInfo] = clientInfo.json
            meta[MetaKey.clientCapabilities] = hooks.capabilities ?? capabilities
        }
        if meta != [:] { body["_meta"] = meta }
        let message = JSONRPCMessage.request(id: id, method: method, params: body)
        var options = SendOptions(protocolVersion: version, opensSession: isInitialize)
        if method == "tools/call", let tool = body["name"]?.stringValue { options.toolHeaders = parameterHeaders[tool] }
        let onMessage = messageHandler(hooks)

        let reply: JSONRPCMessage
        do throws(MCPError) {
            guard let transport = wire else { throw fail(.protocolViolation("not connected")) }
            reply = try await transport.request(message, options: options, timeout: timeout, onMessage: onMessage)
        } catch {
            if case .timeout(let seconds) = error.kind {
                sendCancellation(of: id, modern: modern, reason: "timed out")
                throw noAnswer(to: method, within: seconds)
            }
            if error.isCancellation { sendCancellation(of: id, modern: modern, reason: "cancelled by the user") }
            throw error
        }
        switch reply {
        case .response(_, let result):
            if modern, let type = result["resultType"]?.stringValue, type != "complete",
                !(hooks.returnsInputRequired && type == "input_required")
            {
                throw fail(
                    .unsupported(
                        "the server answered \(method) with resultType \"\(type)\", asking for input mcptop cannot give"
                    ))
            }
            return result
        case .error(_, let error):
            throw fail(.rpc(error))
        default:
            throw fail(.protocolViolation("expected a response to request \(id)"))
        }
    }

    /// Sends a notification; a server that does not take it within `timeout` seconds fails
    /// it with `.timeout`.
    func notify(_ method: String, params: JSONValue? = nil, version: String, timeout: Double)
        async throws(MCPError)
    {
        let message = JSONRPCMessage.notification(method: method, params: params)
        try await wire?.send(message, options: SendOptions(protocolVersion: version), timeout: timeout)
    }

    /// Stateless HTTP cancels by closing the response stream, which dropping it already did;
    /// every other combination says `notifications/cancelled` (2026-07-28 cancellation.mdx;
    /// 2025-11-25 utilities/cancellation.mdx).
    private func sendCancellation(of id: JSONRPCID, modern: Bool, reason: String) {
        if modern, isHTTP { return }
        guard let version = info?.protocolVersion else { return }
        let params: JSONValue = ["requestId": id.json, "reason": .string(reason)]
        let timeout = endpoint.requestTimeout
        Task { try? await self.notify("notifications/cancelled", params: params, version: version, timeout: timeout) }
    }

    /// What happens to the messages that arrive on a request's own stream: its progress, its
    /// notifications, and the server's requests to the client (answered by the bridge's
    /// handler, else as mcptop answers them).
    private func messageHandler(_ hooks: RequestHooks) -> @Sendable (JSONRPCMessage) -> Void {
        let answerServer = serverMessageHandler()
        return { [weak self] message in
            switch message {
            case .notification("notifications/progress", let params):
                guard let onProgress = hooks.onProgress, let progress = Progress(notification: params) else { return }
                onProgress(progress)
            case .notification:
                hooks.onNotification?(message)
            case .request(let id, let method, let params):
                guard let handler = hooks.onServerRequest, method != "ping", let self else {
                    answerServer(message)
                    return
                }
                Task { await self.answer(id: id, method: method, params: params, with: handler) }
            case .response, .error:
                break
            }
        }
    }

    /// Messages that belong to no request of ours (stdio, HTTP+SSE): `ping` is answered;
    /// sampling, elicitation and roots go to the newest bridge request's handler, and without
    /// one are declined, since mcptop then declares no such capability. Notifications go to
    /// the observer.
    nonisolated private func serverMessageHandler() -> @Sendable (JSONRPCMessage) -> Void {
        { [weak self] message in
            guard let self else { return }
            switch message {
            case .request(let id, let method, let params):
                Task { await self.answer(id: id, method: method, params: params, with: nil) }
            case .notification:
                Task { await self.observe(message) }
            case .response, .error:
                break
            }
        }
    }

    private func observe(_ message: JSONRPCMessage) {
        notificationObserver?(message)
    }

    /// Answers one server request: `ping` at once, others by `handler` (or the newest bridge
    /// request's), else declined.
    private func answer(id: JSONRPCID, method: String, params: JSONValue?, with handler: ServerRequestHandler?) async {
        let outcome: Result<JSONValue, JSONRPCError>
        if method == "ping" {
            outcome = .success([:])
        } else if let handler = handler ?? serverRequestHandlers.max(by: { $0.key < $1.key })?.value {
            outcome = await handler(method, params)
        } else {
            outcome = .failure(
                JSONRPCError(code: JSONRPCError.methodNotFound, message: "mcptop does not support \(method)"))
        }
        switch outcome {
        case .success(let result): await reply(.response(id: id, result: result))
        case .failure(let error): await reply(.error(id: id, error: error))
        }
    }

    private func reply(_ message: JSONRPCMessage) async {
        let options = SendOptions(protocolVersion: info?.protocolVersion)
        try? await wire?.send(message, options: options, timeout: endpoint.requestTimeout)
    }
}

/// A bridge's answer to a server's request to the client (sampling, elicitation, roots): the
/// result its own client gave, or the error to send back.
public typealias ServerRequestHandler =
    @Sendable (_ method: String, _ params: JSONValue?) async -> Result<
        JSONValue, JSONRPCError
    >

/// What a request carries besides its method and params: where its progress, its other
/// notifications and the server's requests to the client go, and, for a bridge, what the
/// bridge's client can do and whether an `input_required` result goes back to it.
struct RequestHooks: Sendable {
    var onProgress: (@Sendable (Progress) -> Void)?
    var onNotification: (@Sendable (JSONRPCMessage) -> Void)?
    var onServerRequest: ServerRequestHandler?
    var capabilities: JSONValue?
    var returnsInputRequired = false
}
