import Foundation
import Hummingbird

/// `HTTPField.Name`, reached through a type Hummingbird re-exports.
typealias HeaderName = HTTPFields.Element.Name

extension HeaderName {
    static let mcpSessionID = named("Mcp-Session-Id")
    static let accelBuffering = named("X-Accel-Buffering")

    private static func named(_ name: String) -> HeaderName {
        guard let header = HeaderName(name) else {
            preconditionFailure("invalid header name \(name)")
        }
        return header
    }
}

/// Building HTTP responses.
enum Reply {
    static let jsonType = "application/json"
    static let sseType = "text/event-stream"

    static func json(
        _ status: HTTPResponse.Status, _ message: JSONValue, headers: HTTPFields = [:]
    ) -> Response {
        var fields = headers
        fields[.contentType] = jsonType
        return Response(
            status: status, headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: message.serialized())))
    }

    static func text(
        _ status: HTTPResponse.Status, _ text: String, type: String = "text/plain; charset=utf-8",
        headers: HTTPFields = [:]
    ) -> Response {
        var fields = headers
        fields[.contentType] = type
        return Response(
            status: status, headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: headers, body: ResponseBody())
    }

    static func sseHeaders(_ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        fields[.contentType] = sseType
        fields[.cacheControl] = "no-cache"
        fields[.accelBuffering] = "no"
        return fields
    }

    /// A JSON-RPC answer in the configured response mode.
    static func single(
        _ message: JSONValue, mode: DemoServerOptions.ResponseMode, headers: HTTPFields = [:]
    ) -> Response {
        switch mode {
        case .json:
            return json(.ok, message, headers: headers)
        case .sse:
            return Response(
                status: .ok, headers: sseHeaders(headers),
                body: ResponseBody(byteBuffer: ByteBuffer(string: sseEvent(message))))
        }
    }

    /// The 2025-11-25 answer to a request without a session.
    static func noSession() -> Response {
        json(
            .badRequest,
            rpcError(
                id: nil, code: ErrorCode.invalidRequest,
                message: "Bad Request: No valid session ID provided"))
    }

    static func sessionNotFound(id: JSONValue?) -> Response {
        json(
            .notFound,
            rpcError(id: id, code: ErrorCode.sessionNotFound, message: "Session not found"))
    }

    /// Lower-cased header names; repeated headers are joined with ", ".
    static func headerMap(_ fields: HTTPFields) -> [String: String] {
        var map: [String: String] = [:]
        for field in fields {
            let name = field.name.canonicalName.lowercased()
            if let existing = map[name] {
                map[name] = existing + ", " + field.value
            } else {
                map[name] = field.value
            }
        }
        return map
    }
}

extension DemoServer {
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("mcp") { request, _ in await self.postMCP(request) }
        router.get("mcp") { request, _ in self.getMCP(request) }
        router.delete("mcp") { request, _ in self.deleteMCP(request) }
        router.get("sse") { request, _ in self.getLegacyStream(request) }
        router.post("messages") { request, _ in await self.postLegacyMessage(request) }
        addAuthorizationRoutes(to: router)
        return router
    }

    /// The 401 to send when a bearer token is required and missing or wrong.
    func unauthorized(_ headers: [String: String], options: DemoServerOptions) -> Response? {
        if let oauth = options.oauth { return oauthUnauthorized(headers, oauth: oauth) }
        guard let token = options.bearerToken else { return nil }
        if let value = headers["authorization"] {
            let parts = value.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer",
                parts[1].trimmingCharacters(in: .whitespaces) == token
            {
                return nil
            }
        }
        return Reply.text(
            .unauthorized, "Unauthorized",
            headers: [.wwwAuthenticate: "Bearer realm=\"demo\""])
    }

    /// Reads the body and parses one JSON-RPC message; on failure returns the response to send.
    func readMessage(_ request: inout Request) async -> Result<RPCMessage?, ResponseError> {
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maxBodySize)
        } catch {
            return .failure(
                ResponseError(Reply.text(.contentTooLarge, "Request body too large")))
        }
        switch RPCMessage.parse(Data(buffer.readableBytesView)) {
        case .message(let message):
            record(message)
            return .success(message)
        case .clientResponse:
            return .success(nil)
        case .invalid(let error):
            return .failure(ResponseError(Reply.json(.badRequest, error)))
        }
    }

    /// Wraps a response so it can travel in a `Result`.
    struct ResponseError: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }

    // MARK: POST /mcp

    func postMCP(_ incoming: Request) async -> Response {
        let headers = Reply.headerMap(incoming.headers)
        let options = state.withLock { state in
            state.stats.lastHeaders = headers
            return state.options
        }
        if let denied = unauthorized(headers, options: options) { return denied }
        var request = incoming
        let message: RPCMessage
        switch await readMessage(&request) {
        case .failure(let error): return error.response
        case .success(nil): return Reply.empty(.accepted)
        case .success(let parsed?): message = parsed
        }
        if let denied = insufficientScope(message, headers: headers, options: options) { return denied }
        let collected = request

        // Stateful: initialize opens a session; a session header selects it.
        if options.stateful, message.method == "initialize", !message.isNotification {
            return initialize(message, options: options)
        }
        if options.stateful, let sessionID = headers["mcp-session-id"] {
            guard state.withLock({ $0.sessions[sessionID] != nil }) else {
                return Reply.sessionNotFound(id: message.id)
            }
            if message.isNotification {
                handleNotification(message, session: sessionID)
                return Reply.empty(.accepted)
            }
            return await respond(
                message, era: .stateful, session: sessionID, request: collected, options: options)
        }
        if message.isNotification {
            handleNotification(message, session: "")
            return Reply.empty(.accepted)
        }

        // Stateless: the request carries its protocol version in _meta.
        if options.stateless, let version = message.meta[MCPVersion.protocolVersionKey] {
            guard version == .string(MCPVersion.modern) else {
                let data: JSONValue = [
                    "supported": .array(Self.supportedVersions(options).map { .string($0) }),
                    "requested": version,
                ]
                return Reply.json(
                    .badRequest,
                    rpcError(
                        id: message.id, code: ErrorCode.unsupportedProtocolVersion,
                        message: "Unsupported protocol version", data: data))
            }
            if let error = Self.headerMismatch(
                message, version: MCPVersion.modern, headers: headers)
            {
                return Reply.json(.badRequest, error)
            }
            return await respond(
                message, era: .stateless, session: "", request: collected, options: options)
        }
        if options.stateful || !options.stateless {
            return Reply.noSession()
        }

        // Stateless only, and the request has no _meta version.
        if message.method == "initialize" {
            let data: JSONValue = [
                "supported": .array(Self.supportedVersions(options).map { .string($0) }),
                "requested": message.params["protocolVersion"] ?? .null,
            ]
            return Reply.json(
                .badRequest,
                rpcError(
                    id: message.id, code: ErrorCode.unsupportedProtocolVersion,
                    message: "Unsupported protocol version: this server only supports "
                        + Self.supportedVersions(options).joined(separator: ", "),
                    data: data))
        }
        return Reply.json(
            .badRequest,
            rpcError(
                id: message.id, code: ErrorCode.invalidRequest,
                message: "Invalid Request: missing _meta[\"\(MCPVersion.protocolVersionKey)\"]"))
    }

    func initialize(_ message: RPCMessage, options: DemoServerOptions) -> Response {
        let requested = message.params["protocolVersion"]?.stringValue ?? ""
        let version =
            MCPVersion.stateful.contains(requested) ? requested : MCPVersion.stateful[0]
        let sessionID = UUID().uuidString.lowercased()
        state.withLock { state in
            state.sessions[sessionID] = version
            state.stats.sessionsCreated += 1
        }
        let result = Self.initializeResult(version: version, options: options)
        return Reply.single(
            rpcResult(id: message.id, result), mode: options.responseMode,
            headers: [.mcpSessionID: sessionID])
    }

    /// Answers a request once its era is known.
    func respond(
        _ message: RPCMessage, era: Era, session: String, request: Request,
        options: DemoServerOptions
    ) async -> Response {
        guard message.method == "tools/call" else {
            let answer = Self.answer(message, era: era, options: options)
            switch answer.status {
            case .ok: return Reply.single(answer.message, mode: options.responseMode)
            case .notFound: return Reply.json(.notFound, answer.message)
            }
        }
        if options.misbehaviour != .none {
            return misbehave(options.misbehaviour, message: message, request: request)
        }
        // Only `slow` runs long enough to be cancelled by the client closing the connection.
        // Watching for that ends keep-alive, so other calls don't.
        let watchClose = message.params["name"]?.stringValue == "slow"
        switch options.responseMode {
        case .json:
            let call: @Sendable () async -> JSONValue? = {
                await self.runToolCall(
                    message, era: era, session: session, progress: false, emit: { _ in })
            }
            let reply: JSONValue?
            if watchClose {
                reply = try? await request.body.consumeWithCancellationOnInboundClose { _ in
                    await call()
                }
            } else {
                reply = await call()
            }
            let cancelled = rpcError(
                id: message.id, code: ErrorCode.requestCancelled, message: "Request cancelled")
            return Reply.json(.ok, reply ?? cancelled)
        case .sse:
            var headers = Reply.sseHeaders()
            if watchClose {
                headers[.connection] = "close"
            }
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    let (events, continuation) = AsyncStream<String>.makeStream()
                    let produce: @Sendable () async -> Void = {
                        let reply = await self.runToolCall(
                            message, era: era, session: session, progress: true,
                            emit: { continuation.yield(sseEvent($0)) })
                        if let reply {
                            continuation.yield(sseEvent(reply))
                        }
                        continuation.finish()
                    }
                    do {
                        if watchClose {
                            try await request.body.consumeWithCancellationOnInboundClose { _ in
                                try await Self.pump(events, into: &writer, producer: produce)
                            }
                        } else {
                            try await Self.pump(events, into: &writer, producer: produce)
                        }
                    } catch {
                        // The client went away (or the server is stopping): nothing to send.
                    }
                    try? await writer.finish(nil)
                })
        }
    }

    /// Runs `producer` and writes what it yields into `events` until it finishes.
    static func pump(
        _ events: AsyncStream<String>, into writer: inout any ResponseBodyWriter,
        producer: @escaping @Sendable () async -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await producer() }
            for await event in events {
                try await writer.write(ByteBuffer(string: event))
            }
            try await group.waitForAll()
        }
    }

    /// Ends a response body abruptly: the connection closes in the middle of the stream.
    struct StreamCut: Error {}

    func misbehave(
        _ misbehaviour: DemoServerOptions.Misbehaviour, message: RPCMessage, request: Request
    ) -> Response {
        let id = message.id
        switch misbehaviour {
        case .none, .badJSON:
            return Reply.text(.ok, #"{"jsonrpc":"2.0","id":"#, type: Reply.jsonType)
        case .brokenSSE:
            return Reply.text(
                .ok, "event: message\ndata: {not json\n\n", type: Reply.sseType,
                headers: [.accelBuffering: "no"])
        case .wrongContentType:
            return Reply.text(.ok, "<html>oops</html>", type: "text/html; charset=utf-8")
        case .cutStream:
            var params: [String: JSONValue] = ["progress": 1, "total": 2]
            params["progressToken"] = message.meta["progressToken"]
            let progress: JSONValue = [
                "jsonrpc": "2.0", "method": "notifications/progress", "params": .object(params),
            ]
            return Response(
                status: .ok, headers: Reply.sseHeaders(),
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: sseEvent(progress)))
                    // No response and no end of the chunked body: the connection just closes.
                    throw StreamCut()
                })
        case .hugeBody(let bytes):
            let prefix =
                #"{"jsonrpc":"2.0","id":\#((id ?? .null).serialized()),"result":{"content":"#
                + #"[{"type":"text","text":""#
            let suffix = #""}]}}"#
            let padding = max(0, bytes - prefix.utf8.count - suffix.utf8.count)
            let total = prefix.utf8.count + padding + suffix.utf8.count
            return Response(
                status: .ok, headers: [.contentType: Reply.jsonType],
                body: ResponseBody(contentLength: total) { writer in
                    // Stop writing if the client gives up (or the server stops).
                    try await request.body.consumeWithCancellationOnInboundClose { _ in
                        try await writer.write(ByteBuffer(string: prefix))
                        let chunk = ByteBuffer(repeating: UInt8(ascii: " "), count: 64 * 1024)
                        var remaining = padding
                        while remaining > 0 {
                            try Task.checkCancellation()
                            let size = min(remaining, chunk.readableBytes)
                            try await writer.write(chunk.getSlice(at: 0, length: size) ?? chunk)
                            remaining -= size
                        }
                        try await writer.write(ByteBuffer(string: suffix))
                    }
                    try await writer.finish(nil)
                })
        }
    }

    // MARK: GET and DELETE /mcp

    func getMCP(_ request: Request) -> Response {
        let options = self.options
        if let denied = unauthorized(Reply.headerMap(request.headers), options: options) {
            return denied
        }
        return Reply.empty(
            .methodNotAllowed, headers: [.allow: options.stateful ? "POST, DELETE" : "POST"])
    }

    func deleteMCP(_ request: Request) -> Response {
        let headers = Reply.headerMap(request.headers)
        let options = self.options
        if let denied = unauthorized(headers, options: options) { return denied }
        guard options.stateful else {
            return Reply.empty(.methodNotAllowed, headers: [.allow: "POST"])
        }
        guard let sessionID = headers["mcp-session-id"] else { return Reply.noSession() }
        let known = state.withLock { state in
            guard state.sessions.removeValue(forKey: sessionID) != nil else { return false }
            state.stats.deletes += 1
            return true
        }
        guard known else { return Reply.sessionNotFound(id: nil) }
        cancelCalls(session: sessionID)
        return Reply.empty(.ok)
    }

    // MARK: 2024-11-05 HTTP+SSE

    func getLegacyStream(_ request: Request) -> Response {
        let options = self.options
        if let denied = unauthorized(Reply.headerMap(request.headers), options: options) {
            return denied
        }
        guard options.legacySSE else { return Reply.text(.notFound, "Not Found") }
        let sessionID = UUID().uuidString.lowercased()
        let (events, continuation) = AsyncStream<String>.makeStream()
        state.withLock { state in
            state.legacySessions[sessionID] = LegacySession(events: continuation)
            state.stats.sessionsCreated += 1
        }
        let sessionKey = "sse:\(sessionID)"
        return Response(
            status: .ok, headers: Reply.sseHeaders(),
            body: ResponseBody { writer in
                do {
                    try await request.body.consumeWithCancellationOnInboundClose { _ in
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                while true {
                                    try await Task.sleep(for: Self.keepAliveInterval)
                                    continuation.yield(": keep-alive\n\n")
                                }
                            }
                            let endpoint = "/messages?sessionId=\(sessionID)"
                            try await writer.write(
                                ByteBuffer(string: "event: endpoint\ndata: \(endpoint)\n\n"))
                            for await event in events {
                                try await writer.write(ByteBuffer(string: event))
                            }
                            group.cancelAll()
                        }
                    }
                } catch {
                    // The client closed the stream, or the server is stopping.
                }
                self.state.withLock { _ = $0.legacySessions.removeValue(forKey: sessionID) }
                continuation.finish()
                self.cancelCalls(session: sessionKey)
                try? await writer.finish(nil)
            })
    }

    func postLegacyMessage(_ incoming: Request) async -> Response {
        let options = self.options
        if let denied = unauthorized(Reply.headerMap(incoming.headers), options: options) {
            return denied
        }
        guard options.legacySSE else { return Reply.text(.notFound, "Not Found") }
        guard let sessionID = incoming.uri.queryParameters["sessionId"].map(String.init) else {
            return Reply.text(.badRequest, "Missing sessionId")
        }
        guard let session = state.withLock({ $0.legacySessions[sessionID] }) else {
            return Reply.text(.notFound, "Session not found")
        }
        var request = incoming
        let message: RPCMessage
        switch await readMessage(&request) {
        case .failure(let error): return error.response
        case .success(nil): return Reply.text(.accepted, "Accepted")
        case .success(let parsed?): message = parsed
        }
        let headers = Reply.headerMap(incoming.headers)
        if let denied = insufficientScope(message, headers: headers, options: options) { return denied }
        let sessionKey = "sse:\(sessionID)"
        if message.isNotification {
            handleNotification(message, session: sessionKey)
            return Reply.text(.accepted, "Accepted")
        }
        let send: @Sendable (String) -> Void = { session.events.yield($0) }
        if message.method == "tools/call" {
            switch options.misbehaviour {
            case .badJSON:
                send("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":\n\n")
                return Reply.text(.accepted, "Accepted")
            case .brokenSSE:
                send("event: message\ndata: {not json\n\n")
                return Reply.text(.accepted, "Accepted")
            case .none, .wrongContentType, .hugeBody, .cutStream:
                break
            }
            Task {
                let reply = await self.runToolCall(
                    message, era: .legacy, session: sessionKey, progress: true,
                    emit: { send(sseEvent($0)) })
                if let reply {
                    send(sseEvent(reply))
                }
            }
        } else {
            send(sseEvent(Self.answer(message, era: .legacy, options: options).message))
        }
        return Reply.text(.accepted, "Accepted")
    }
}
