import Foundation
import HTTPTypes
import Hummingbird
import LocalServer
import MCPClient
import Support
import Synchronization

/// `mcptop serve`: every configured server at `http://127.0.0.1:PORT/NAME/mcp`, as a Streamable
/// HTTP server of both revisions (2025-11-25 transports.mdx, 2026-07-28 streamable-http.mdx).
/// Stateful clients get sessions of mcptop's own (`Mcp-Session-Id`); stateless ones are
/// answered per request. One upstream connection per server is shared by every client, so
/// there is one refresher per login. Every request needs the local bearer token.
public final class HTTPBroker: Sendable {
    private let upstreams: [String: any Upstream]
    /// Per server, the remote requests waiting for a 2026-07-28 client's retry.
    private let parked: [String: ParkedRequests]
    /// Per server, the remote's notifications outside requests, for every client.
    private let relays: [String: NotificationRelay]
    private let token: String
    private let activity: BridgeActivity.Log?
    /// Makes a span of each client request, when traces are exported.
    private let tracing: (any BridgeTracing)?
    private let maxBodyBytes: Int
    private struct State {
        var sessions: [String: ProxySession] = [:]
        /// Each stateful session's GET stream, while the client holds one open.
        var standing: [String: AsyncStream<JSONRPCMessage>.Continuation] = [:]
        var server: LocalServer?
    }
    private let state = Mutex(State())

    public init(
        upstreams: [String: any Upstream], token: String, activity: BridgeActivity.Log? = nil,
        tracing: (any BridgeTracing)? = nil, maxBodyBytes: Int = 64 << 20
    ) {
        self.tracing = tracing
        self.upstreams = upstreams
        parked = upstreams.mapValues { _ in ParkedRequests() }
        relays = upstreams.mapValues { NotificationRelay(upstream: $0) }
        self.token = token
        self.activity = activity
        self.maxBodyBytes = maxBodyBytes
    }

    /// Listens on `host:port` (0: any free port) and returns the port once accepting.
    public func start(host: String, port: Int) async throws -> Int {
        let router = Router()
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.post("/:server/mcp") { [self] request, context in try await post(request, context: context) }
        router.get("/:server/mcp") { [self] request, context in try standingStream(request, context: context) }
        router.delete("/:server/mcp") { [self] request, context in
            if let refused = try refusal(request, context: context) { return refused }
            guard let id = request.headers[.mcpSessionID] else { return plain(.badRequest, "no Mcp-Session-Id") }
            guard let session = state.withLock({ $0.sessions.removeValue(forKey: id) }) else {
                return plain(.notFound, "no such session")
            }
            state.withLock { $0.standing.removeValue(forKey: id) }?.finish()
            await session.close()
            return Response(status: .noContent)
        }
        // Every call crosses this server: its requests are answered on its event loop's thread.
        let server = LocalServer(router: router, host: host, port: port, label: "mcptop.serve", ownThread: true)
        state.withLock { $0.server = server }
        return try await server.listening()
    }

    /// Stops listening; sessions end, requests under way are cancelled.
    public func stop() async {
        let (server, sessions) = state.withLock { state in
            defer {
                state.server = nil
                state.sessions = [:]
            }
            return (state.server, Array(state.sessions.values))
        }
        // The standing streams end first, so that their connections close with the listener
        // rather than after its grace.
        for stream in state.withLock({ $0.standing.values }) { stream.finish() }
        await server?.stop()
        for session in sessions { await session.close() }
        for waiting in parked.values { waiting.cancelAll() }
        for upstream in upstreams.values { await upstream.close() }
    }

    // MARK: Requests

    /// Why the request is refused before it reaches a server: an unknown server (404), a
    /// missing or wrong local token (401), a page from another origin (403, DNS rebinding:
    /// 2025-11-25 transports.mdx, Security Warning).
    private func refusal(_ request: Request, context: some RequestContext) throws -> Response? {
        if let origin = request.headers[.origin], !Self.isLoopbackOrigin(origin) {
            return plain(.forbidden, "requests from \(origin) are refused")
        }
        let presented = request.headers[.authorization].flatMap { value -> String? in
            value.lowercased().hasPrefix("bearer ") ? String(value.dropFirst(7)).trimmed() : nil
        }
        guard let presented, LocalToken.matches(presented, token) else {
            var response = plain(.unauthorized, "this mcptop needs its local token (mcptop serve --print-token)")
            response.headers[.wwwAuthenticate] = #"Bearer realm="mcptop""#
            return response
        }
        let name = context.parameters.get("server") ?? ""
        guard upstreams[name] != nil else {
            return plain(
                .notFound, "no server named \(name) (configured: \(upstreams.keys.sorted().joined(separator: ", ")))")
        }
        return nil
    }

    /// Where a session's tasks run: the listener's event loop, but the global pool for a
    /// server whose requests may hold their thread (the loop is every client's).
    private func executor(for upstream: any Upstream) -> (any TaskExecutor)? {
        upstream.mayHoldItsThread ? globalConcurrentExecutor : state.withLock { $0.server?.executor }
    }

    private func post(_ request: Request, context: some RequestContext) async throws -> Response {
        if let refused = try refusal(request, context: context) { return refused }
        let name = context.parameters.get("server") ?? ""
        guard let upstream = upstreams[name] else { return plain(.notFound, "no server named \(name)") }
        let body = try await request.body.collect(upTo: maxBodyBytes)
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(bytes: Array(buffer: body))
        } catch {
            return json(
                .badRequest,
                .error(id: nil, error: JSONRPCError(code: JSONRPCError.parseError, message: "not JSON-RPC")))
        }
        let sessionID = request.headers[.mcpSessionID]
        guard case .request(let id, let method, let params) = message else {
            // Notifications (initialized, cancelled) and answers: accepted (202).
            if let sessionID, let session = state.withLock({ $0.sessions[sessionID] }) {
                await session.receive(message)
            }
            return Response(status: .accepted)
        }
        let session: ProxySession
        var newSession: String?
        if method == "initialize" {
            let id = Base64URL.encode(Data((0..<16).map { _ in UInt8.random(in: .min ... .max) }))
            // What comes outside requests goes to the session's GET stream, if one is open.
            session = ProxySession(
                serverName: name, upstream: upstream, ownsUpstream: false, activity: activity, tracing: tracing,
                parked: parked[name]!,
                notifications: relays[name], executor: executor(for: upstream)
            ) { [weak self] message in
                _ = self?.state.withLock { $0.standing[id] }?.yield(message)
            }
            state.withLock { $0.sessions[id] = session }
            newSession = id
        } else if let sessionID {
            guard let known = state.withLock({ $0.sessions[sessionID] }) else {
                // A session mcptop no longer knows (it restarted): the client initializes again.
                return plain(.notFound, "session not found")
            }
            session = known
        } else {
            // Stateless (2026-07-28): a session for this request alone; ids are the client's.
            session = ProxySession(
                serverName: name, upstream: upstream, ownsUpstream: false, activity: activity, tracing: tracing,
                parked: parked[name]!,
                notifications: relays[name], executor: executor(for: upstream),
                send: { _ in })
        }
        var headers: HTTPFields = [:]
        if let newSession { headers[.mcpSessionID] = newSession }
        guard (request.headers[.accept] ?? "").contains("text/event-stream") else {
            guard let reply = await session.respond(id: id, method: method, params: params, notify: { _ in }) else {
                return Response(status: .accepted)
            }
            return json(.ok, reply, headers: headers)
        }
        // The answer alone, when it comes within 100 ms, is plain JSON; anything before it
        // (progress, the proxy's questions to the client) or a longer wait makes the response
        // an SSE stream scoped to this request, the answer last (2025-11-25 transports.mdx).
        let modern = ProtocolVersion.isModern(request.headers[.mcpProtocolVersion] ?? "")
        let reply = ReplyChannel()
        let work = await session.begin(id: id, method: method, params: params) {
            reply.send(.message($0))
        } deliver: {
            reply.send(.answer($0))
        }
        let decision = await withTaskCancellationHandler {
            await reply.decide(within: 0.1)
        } onCancel: {
            work.cancel()
        }
        switch decision {
        case .json(let answer?): return json(.ok, answer, headers: headers)
        case .json(nil): return Response(status: .accepted)
        case .stream(let items):
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(
                status: .ok, headers: headers,
                body: .init { writer in
                    // A comment every half second shows whether the client is still there: a
                    // 2026-07-28 client cancels by closing the stream (cancellation.mdx), and
                    // the request is cancelled with it; on 2025-11-25 a disconnect is not a
                    // cancellation (transports.mdx), so the request runs on, unheard.
                    let heartbeat = Task {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: .milliseconds(500))
                            reply.send(.heartbeat)
                        }
                    }
                    defer {
                        heartbeat.cancel()
                        if modern { work.cancel() }
                    }
                    try await withTaskCancellationHandler {
                        for await item in items {
                            switch item {
                            case .message(let message), .answer(let message?):
                                try await writer.write(Self.event(message))
                            case .answer(nil): break
                            case .heartbeat: try await writer.write(ByteBuffer(string: ":\n\n"))
                            }
                        }
                        try await writer.finish(nil)
                    } onCancel: {
                        if modern { work.cancel() }
                    }
                })
        }
    }

    private static func event(_ message: JSONRPCMessage) -> ByteBuffer {
        let data = String(decoding: message.json.serializedBytes(), as: UTF8.self)
        return ByteBuffer(string: "event: message\ndata: \(data)\n\n")
    }

    /// A stateful session's GET stream (2025-11-25 transports.mdx, Listening for Messages from
    /// the Server): list changes and resource updates, until the client closes it; a second GET
    /// replaces the first. A stateless client has none (405; it uses `subscriptions/listen`).
    private func standingStream(_ request: Request, context: some RequestContext) throws -> Response {
        if let refused = try refusal(request, context: context) { return refused }
        guard let id = request.headers[.mcpSessionID] else {
            return plain(.methodNotAllowed, "no standing stream without a session (use subscriptions/listen)")
        }
        let (stream, continuation) = AsyncStream<JSONRPCMessage>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let known = state.withLock { state -> Bool in
            guard state.sessions[id] != nil else { return false }
            state.standing.updateValue(continuation, forKey: id)?.finish()
            return true
        }
        guard known else { return plain(.notFound, "session not found") }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: .init { writer in
                try await withTaskCancellationHandler {
                    for await message in stream { try await writer.write(Self.event(message)) }
                    try await writer.finish(nil)
                } onCancel: {
                    continuation.finish()  // what comes before the next GET is dropped
                }
            })
    }

    private func json(_ status: HTTPResponse.Status, _ message: JSONRPCMessage, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: message.json.serializedBytes()))
        )
    }

    private func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// `http://127.0.0.1:…`, `http://localhost:…`, `http://[::1]:…`: what a local client sends.
    static func isLoopbackOrigin(_ origin: String) -> Bool {
        guard let host = URLComponents(string: origin)?.host else { return false }
        return Loopback.isHost(host)
    }
}

extension HTTPField.Name {
    static let mcpSessionID = HTTPField.Name("Mcp-Session-Id")!
    static let mcpProtocolVersion = HTTPField.Name("MCP-Protocol-Version")!
}

/// One request's way back on `mcptop serve`: JSON when the answer comes alone and soon; else
/// an SSE stream of what comes before it, heartbeats, and the answer last.
final class ReplyChannel: Sendable {
    enum Item: Sendable {
        case message(JSONRPCMessage)
        /// None for a cancelled request.
        case answer(JSONRPCMessage?)
        case heartbeat
    }

    enum Decision: Sendable {
        case json(JSONRPCMessage?)
        case stream(AsyncStream<Item>)
    }

    private struct State {
        var decision: Decision?
        var waiter: CheckedContinuation<Decision, Never>?
    }

    private let state = Mutex(State())
    private let items: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation

    init() {
        (items, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .unbounded)
    }

    /// The answer, or what comes before it; heartbeats only once streaming.
    func send(_ item: Item) {
        enum Route {
            case drop, yield
            case decided(CheckedContinuation<Decision, Never>?, Decision)
        }
        let route = state.withLock { state -> Route in
            switch state.decision {
            case .json?: return .drop
            case .stream?: return .yield
            case nil:
                if case .heartbeat = item { return .drop }
                let decision: Decision
                if case .answer(let answer) = item { decision = .json(answer) } else { decision = .stream(items) }
                state.decision = decision
                defer { state.waiter = nil }
                return .decided(state.waiter, decision)
            }
        }
        switch route {
        case .drop: return
        case .yield: yield(item)
        case .decided(let waiter, let decision):
            waiter?.resume(returning: decision)  // without a waiter yet, `decide` finds it
            if case .stream = decision { yield(item) }
        }
    }

    private func yield(_ item: Item) {
        continuation.yield(item)
        if case .answer = item { continuation.finish() }
    }

    /// JSON or a stream: decided by the first thing sent, or a stream after `seconds`.
    func decide(within seconds: Double) async -> Decision {
        let timer = Deadlines.shared.schedule(after: seconds) { [weak self] in self?.streamNow() }
        defer { _ = Deadlines.shared.cancel(timer) }
        return await withCheckedContinuation { continuation in
            let decided = state.withLock { state -> Decision? in
                if let decision = state.decision { return decision }
                state.waiter = continuation
                return nil
            }
            if let decided { continuation.resume(returning: decided) }
        }
    }

    private func streamNow() {
        let waiter = state.withLock { state -> CheckedContinuation<Decision, Never>? in
            guard state.decision == nil else { return nil }
            state.decision = .stream(items)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .stream(items))
    }
}
