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
    private let clientInfo: ClientInfo

    private enum Wire {
        case http(StreamableHTTPTransport)
        case sse(LegacySSETransport)
        case stdio(StdioTransport)
    }

    private var wire: Wire?
    private var info: ServerInfo?
    private var connecting: Handshake?
    private var nextID: Int64 = 1
    /// x-mcp-header mappings of the tools seen in `tools/list`, by tool name.
    private var parameterHeaders: [String: ParameterHeaders] = [:]
    /// Tools dropped from the last listing, with the reason (invalid definitions).
    public private(set) var rejectedTools: [(name: String, reason: String)] = []

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

    private var name: String { endpoint.name }

    private func fail(_ kind: MCPError.Kind) -> MCPError { MCPError(server: name, kind) }

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

    private func establish() async throws(MCPError) -> ServerInfo {
        let pinned = endpoint.protocolVersion
        if let pinned, !ProtocolVersion.all.contains(pinned) {
            throw fail(.unsupportedVersion(offered: [pinned]))
        }
        switch endpoint.transport {
        case .streamableHTTP(let url):
            let transport = StreamableHTTPTransport(
                endpoint: url, sender: sender, connectTimeout: endpoint.connectTimeout)
            wire = .http(transport)
            do {
                return try await negotiateHTTP(url: url, pinned: pinned)
            } catch {
                wire = nil
                throw error
            }
        case .legacySSE(let url):
            return try await connectLegacySSE(url: url)
        case .stdio(let command, let arguments, let environment, let workingDirectory):
            let transport = try StdioTransport(
                serverName: name, command: command, arguments: arguments, environment: environment,
                workingDirectory: workingDirectory, maxLineBytes: endpoint.maxBodyBytes,
                onServerMessage: serverMessageHandler())
            wire = .stdio(transport)
            do {
                return try await negotiateStdio(pinned: pinned)
            } catch {
                await transport.close()
                wire = nil
                throw error
            }
        }
    }

    /// Streamable HTTP: try the modern revision first and read a 4xx body before falling back
    /// (2026-07-28 streamable-http.mdx, Backward Compatibility).
    private func negotiateHTTP(url: String, pinned: String?) async throws(MCPError) -> ServerInfo {
        if let pinned {
            if ProtocolVersion.isModern(pinned) {
                return try await discover(version: pinned, transport: .streamableHTTP)
            }
            return try await initialize(version: pinned, transport: .streamableHTTP)
        }
        var version = ProtocolVersion.latest
        for _ in 0..<2 {
            do {
                return try await discover(version: version, transport: .streamableHTTP)
            } catch {
                switch modernErrorDecision(error, tried: version) {
                case .retryModern(let other): version = other
                case .useStateful(let stateful):
                    return try await initialize(version: stateful, transport: .streamableHTTP)
                case .legacy:
                    return try await initializeOrLegacySSE(url: url)
                case .fail: throw error
                }
            }
        }
        return try await initializeOrLegacySSE(url: url)
    }

    private enum EraDecision {
        case retryModern(String)
        case useStateful(String)
        case legacy
        case fail
    }

    /// What a failed `server/discover` says about the server's era.
    private func modernErrorDecision(_ error: MCPError, tried: String) -> EraDecision {
        let rpcError: JSONRPCError?
        switch error.kind {
        case .httpStatus(let status, _, let bodyError, _):
            guard [400, 404, 405, 406, 415, 422].contains(status) else { return .fail }
            rpcError = bodyError
        case .rpc(let bodyError):
            rpcError = bodyError
        case .protocolViolation:
            return .legacy  // answered, but not as a modern server would
        default:
            return .fail
        }
        guard let rpcError, rpcError.isModernProtocolError else { return .legacy }
        guard rpcError.code == JSONRPCError.unsupportedProtocolVersion else { return .fail }
        let offered = rpcError.data?["supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let modern = ProtocolVersion.modern.first(where: offered.contains), modern != tried {
            return .retryModern(modern)
        }
        if let stateful = ProtocolVersion.stateful.first(where: offered.contains) {
            return .useStateful(stateful)
        }
        return .fail
    }

    /// A server that refused both modern requests and `initialize` in a way that says "this
    /// is not a Streamable HTTP endpoint" may be an HTTP+SSE server at the same URL.
    private func initializeOrLegacySSE(url: String) async throws(MCPError) -> ServerInfo {
        do {
            return try await initialize(version: ProtocolVersion.latestStateful, transport: .streamableHTTP)
        } catch {
            guard case .httpStatus(let status, _, let rpcError, _) = error.kind,
                [400, 404, 405].contains(status), rpcError == nil
            else { throw error }
            do {
                return try await connectLegacySSE(url: url)
            } catch {
                throw error
            }
        }
    }

    private func connectLegacySSE(url: String) async throws(MCPError) -> ServerInfo {
        let transport = LegacySSETransport(
            sseURL: url, sender: sender, connectTimeout: endpoint.connectTimeout,
            onServerMessage: serverMessageHandler())
        wire = .sse(transport)
        do {
            try await transport.connect()
            return try await initialize(version: ProtocolVersion.legacySSE, transport: .sse)
        } catch {
            transport.close()
            wire = nil
            throw error
        }
    }

    /// stdio: probe with `server/discover`; anything but a modern answer or a modern error
    /// means a legacy server, and `initialize` follows (2026-07-28 stdio.mdx).
    private func negotiateStdio(pinned: String?) async throws(MCPError) -> ServerInfo {
        if let pinned {
            if ProtocolVersion.isModern(pinned) { return try await discover(version: pinned, transport: .stdio) }
            return try await initialize(version: pinned, transport: .stdio)
        }
        do {
            return try await discover(version: ProtocolVersion.latest, transport: .stdio, timeout: 5)
        } catch {
            if case .process = error.kind { throw error }
            if case .rpc(let rpcError) = error.kind,
                rpcError.code == JSONRPCError.unsupportedProtocolVersion
            {
                let offered = rpcError.data?["supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if let stateful = ProtocolVersion.stateful.first(where: offered.contains) {
                    return try await initialize(version: stateful, transport: .stdio)
                }
                throw fail(.unsupportedVersion(offered: offered))
            }
            return try await initialize(version: ProtocolVersion.latestStateful, transport: .stdio)
        }
    }

    private func discover(version: String, transport: ServerInfo.TransportKind, timeout: Double? = nil)
        async throws(MCPError) -> ServerInfo
    {
        let result = try await send(
            "server/discover", params: nil, version: version, timeout: timeout ?? endpoint.connectTimeout)
        guard let supported = result["supportedVersions"]?.arrayValue?.compactMap(\.stringValue) else {
            throw fail(.protocolViolation("server/discover result has no supportedVersions"))
        }
        if !supported.contains(version) {
            if let modern = ProtocolVersion.modern.first(where: supported.contains), modern != version {
                return try await discover(version: modern, transport: transport)
            }
            if endpoint.protocolVersion == nil, let stateful = ProtocolVersion.stateful.first(where: supported.contains)
            {
                return try await initialize(version: stateful, transport: transport)
            }
            throw fail(.unsupportedVersion(offered: supported))
        }
        let serverInfo = result["_meta"]?[MetaKey.serverInfo]
        let connected = ServerInfo(
            protocolVersion: version, transport: transport, name: serverInfo?["name"]?.stringValue,
            version: serverInfo?["version"]?.stringValue, instructions: result["instructions"]?.stringValue,
            capabilities: result["capabilities"] ?? [:], sessionID: nil)
        info = connected
        return connected
    }

    /// The stateful handshake: `initialize`, then `notifications/initialized`
    /// (2025-11-25 lifecycle.mdx).
    private func initialize(version: String, transport: ServerInfo.TransportKind) async throws(MCPError)
        -> ServerInfo
    {
        let params: JSONValue = [
            "protocolVersion": .string(version),
            "capabilities": [:],
            "clientInfo": clientInfo.json,
        ]
        let result = try await send(
            "initialize", params: params, version: version, timeout: endpoint.requestTimeout, isInitialize: true)
        guard let agreed = result["protocolVersion"]?.stringValue else {
            throw fail(.protocolViolation("initialize result has no protocolVersion"))
        }
        let acceptable =
            transport == .sse
            ? [ProtocolVersion.legacySSE] + ProtocolVersion.stateful
            : ProtocolVersion.stateful + [ProtocolVersion.legacySSE]
        guard acceptable.contains(agreed) else {
            throw fail(.unsupportedVersion(offered: [agreed]))
        }
        do {
            try await notify("notifications/initialized", version: agreed, timeout: endpoint.requestTimeout)
        } catch {
            // A server can answer `initialize` and then leave this POST hanging; say which step.
            guard case .timeout(let seconds) = error.kind else { throw error }
            throw fail(
                .connection(
                    HTTPError(
                        .timeout, url: endpoint.target,
                        detail: "no answer to notifications/initialized within \(JSONValue.format(seconds)) s")))
        }
        var sessionID: String?
        if case .http(let http) = wire { sessionID = http.currentSessionID }
        let connected = ServerInfo(
            protocolVersion: agreed, transport: transport, name: result["serverInfo"]?["name"]?.stringValue,
            version: result["serverInfo"]?["version"]?.stringValue,
            instructions: result["instructions"]?.stringValue, capabilities: result["capabilities"] ?? [:],
            sessionID: sessionID)
        info = connected
        return connected
    }

    /// Ends the session (DELETE for stateful HTTP) and stops a stdio server.
    public func close() async {
        let current = wire
        wire = nil
        info = nil
        switch current {
        case .http(let transport): await transport.terminateSession()
        case .sse(let transport): transport.close()
        case .stdio(let transport): await transport.close()
        case nil: break
        }
    }

    // MARK: - Operations

    /// Every tool, following `nextCursor` through all pages.
    public func listTools() async throws(MCPError) -> [Tool] {
        try await connect()
        var tools: [Tool] = []
        var rejected: [(String, String)] = []
        var headers: [String: ParameterHeaders] = [:]
        var cursor: String?
        var seenCursors = Set<String>()
        repeat {
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
            let result = try await request("tools/call", params: params, timeout: timeout, onProgress: onProgress)
            return ToolResult(json: result)
        } catch {
            // A server whose tool gained x-mcp-header annotations since we listed: list again
            // and retry once (streamable-http.mdx, Client Behavior).
            guard isHTTP, case .rpc(let rpcError) = error.kind,
                rpcError.code == JSONRPCError.headerMismatch
            else { throw error }
            _ = try await listTools()
            let result = try await request("tools/call", params: params, timeout: timeout, onProgress: onProgress)
            return ToolResult(json: result)
        }
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

    private var isHTTP: Bool {
        if case .http = wire { return true }
        return false
    }

    // MARK: - Requests

    /// A request on the connected session. A stateful server that forgot our session gets a
    /// new one and the request is sent once more.
    private func request(
        _ method: String, params: JSONValue?, timeout: Double? = nil,
        onProgress: (@Sendable (Progress) -> Void)? = nil
    ) async throws(MCPError) -> JSONValue {
        guard let connected = info else { throw fail(.protocolViolation("not connected")) }
        do {
            return try await send(
                method, params: params, version: connected.protocolVersion,
                timeout: timeout ?? endpoint.requestTimeout, onProgress: onProgress)
        } catch {
            guard case .sessionExpired = error.kind else { throw error }
            // Renew unless a concurrent request already did.
            if info?.sessionID == connected.sessionID { info = nil }
            try await connect()
            guard let renewed = info else { throw error }
            return try await send(
                method, params: params, version: renewed.protocolVersion,
                timeout: timeout ?? endpoint.requestTimeout, onProgress: onProgress)
        }
    }

    private func send(
        _ method: String, params: JSONValue?, version: String, timeout: Double,
        isInitialize: Bool = false, onProgress: (@Sendable (Progress) -> Void)? = nil
    ) async throws(MCPError) -> JSONValue {
        let id = JSONRPCID.number(nextID)
        nextID += 1
        let modern = ProtocolVersion.isModern(version)
        var body = params ?? [:]
        var meta = body["_meta"] ?? [:]
        let progressToken: JSONValue? = onProgress == nil ? nil : .string("mcptop-\(id)")
        if let progressToken { meta["progressToken"] = progressToken }
        if modern {
            meta[MetaKey.protocolVersion] = .string(version)
            meta[MetaKey.clientInfo] = clientInfo.json
            meta[MetaKey.clientCapabilities] = [:]
        }
        if meta != [:] { body["_meta"] = meta }
        let message = JSONRPCMessage.request(id: id, method: method, params: body)
        let headers = requestHeaders(method: method, params: body, version: version, modern: modern)
        let onMessage = notificationHandler(onProgress: onProgress)
        let current = wire
        let serverName = name

        let reply: JSONRPCMessage
        do throws(MCPError) {
            if case .http(let transport) = current {
                // libcurl keeps the time of an HTTP request itself; no task watches it.
                guard
                    let answer = try await transport.post(
                        message, headers: headers, captureSession: isInitialize, timeout: timeout,
                        onMessage: onMessage)
                else { throw MCPError(server: serverName, .protocolViolation("no response")) }
                reply = answer
            } else {
                reply = try await MCPConnection.withTimeout(timeout, server: serverName) { () throws(MCPError) in
                    switch current {
                    case .sse(let transport):
                        return try await transport.request(
                            message, progressToken: progressToken, onMessage: onMessage)
                    case .stdio(let transport):
                        return try await transport.request(
                            message, progressToken: progressToken, onMessage: onMessage)
                    case .http, nil:
                        throw MCPError(server: serverName, .protocolViolation("not connected"))
                    }
                }
            }
        } catch {
            if case .timeout = error.kind { sendCancellation(of: id, modern: modern, reason: "timed out") }
            if error.isCancellation { sendCancellation(of: id, modern: modern, reason: "cancelled by the user") }
            throw error
        }
        switch reply {
        case .response(_, let result):
            if modern, let type = result["resultType"]?.stringValue, type != "complete" {
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
    private func notify(_ method: String, params: JSONValue? = nil, version: String, timeout: Double)
        async throws(MCPError)
    {
        let message = JSONRPCMessage.notification(method: method, params: params)
        switch wire {
        case .http(let transport):
            var headers: [(String, String)] = []
            if ProtocolVersion.sendsVersionHeader(version) { headers.append(("MCP-Protocol-Version", version)) }
            _ = try await transport.post(message, headers: headers, timeout: timeout)
        case .sse(let transport):
            // The POST's own limit would report a transfer timeout; this one says what it was.
            try await MCPConnection.withTimeout(timeout, server: name) { () throws(MCPError) in
                try await transport.send(message, timeout: timeout)
            }
        case .stdio(let transport): try transport.send(message)
        case nil: break
        }
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

    /// Headers that mirror the body for intermediaries (streamable-http.mdx, Request Metadata).
    private func requestHeaders(method: String, params: JSONValue, version: String, modern: Bool)
        -> [(String, String)]
    {
        guard isHTTP else { return [] }
        var headers: [(String, String)] = []
        if modern || ProtocolVersion.sendsVersionHeader(version) {
            headers.append(("MCP-Protocol-Version", version))
        }
        guard modern else { return headers }
        headers.append(("Mcp-Method", method))
        if ["tools/call", "prompts/get"].contains(method), let name = params["name"]?.stringValue {
            headers.append(("Mcp-Name", ParameterHeaders.encode(name)))
        } else if method == "resources/read", let uri = params["uri"]?.stringValue {
            headers.append(("Mcp-Name", ParameterHeaders.encode(uri)))
        }
        if method == "tools/call", let name = params["name"]?.stringValue, let mapping = parameterHeaders[name] {
            headers += mapping.headers(for: params["arguments"])
        }
        return headers
    }

    private func notificationHandler(onProgress: (@Sendable (Progress) -> Void)?)
        -> @Sendable (JSONRPCMessage) -> Void
    {
        let answerServer = serverMessageHandler()
        return { message in
            switch message {
            case .notification("notifications/progress", let params):
                guard let onProgress, let value = params?["progress"]?.doubleValue else { return }
                onProgress(
                    Progress(
                        progress: value, total: params?["total"]?.doubleValue,
                        message: params?["message"]?.stringValue))
            default:
                answerServer(message)
            }
        }
    }

    /// Server-to-client requests of the stateful revisions: `ping` is answered; sampling,
    /// elicitation and roots are declined since mcptop declares no such capability.
    nonisolated private func serverMessageHandler() -> @Sendable (JSONRPCMessage) -> Void {
        { [weak self] message in
            guard case .request(let id, let method, _) = message, let self else { return }
            let reply: JSONRPCMessage =
                method == "ping"
                ? .response(id: id, result: [:])
                : .error(
                    id: id,
                    error: JSONRPCError(code: JSONRPCError.methodNotFound, message: "mcptop does not support \(method)")
                )
            Task { await self.reply(reply) }
        }
    }

    private func reply(_ message: JSONRPCMessage) async {
        switch wire {
        case .http(let transport):
            var headers: [(String, String)] = []
            if let version = info?.protocolVersion, ProtocolVersion.sendsVersionHeader(version) {
                headers.append(("MCP-Protocol-Version", version))
            }
            _ = try? await transport.post(message, headers: headers, timeout: endpoint.requestTimeout)
        case .sse(let transport): try? await transport.send(message, timeout: endpoint.requestTimeout)
        case .stdio(let transport): try? transport.send(message)
        case nil: break
        }
    }

    /// Runs `operation`, failing with `.timeout` when it takes longer than `seconds`; the
    /// operation is cancelled then, which cancels its HTTP transfer.
    static func withTimeout<T: Sendable>(
        _ seconds: Double, server: String, _ operation: @escaping @Sendable () async throws(MCPError) -> T
    ) async throws(MCPError) -> T {
        let work = Task { () async -> Result<T, MCPError> in
            do throws(MCPError) {
                return .success(try await operation())
            } catch {
                return .failure(error)
            }
        }
        let deadline = Deadlines.shared.schedule(after: seconds) { work.cancel() }
        let outcome = await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
        let timedOut = !Deadlines.shared.cancel(deadline)
        if case .failure = outcome, timedOut {
            throw MCPError(server: server, .timeout(seconds: seconds))
        }
        return try outcome.get()
    }
}
