import HTTP
import Support
import Synchronization

/// Streamable HTTP (2025-03-26 onwards): each JSON-RPC message is one POST to the MCP
/// endpoint; the answer is a JSON body or an SSE stream scoped to that request. Holds the
/// session id of the stateful revisions, never a credential.
final class StreamableHTTPTransport: MessageTransport {
    let endpoint: String
    private let sender: AuthorizedHTTP
    private let connectTimeout: Double
    private struct Session {
        var id: String?
        /// The server gave a session id at initialization, so every later request needs one.
        var expected = false
    }
    private let session = Mutex(Session())

    init(endpoint: String, sender: AuthorizedHTTP, connectTimeout: Double) {
        self.endpoint = endpoint
        self.sender = sender
        self.connectTimeout = connectTimeout
    }

    var kind: ServerInfo.TransportKind { .streamableHTTP }

    var sessionID: String? { session.withLock { $0.id } }

    func forgetSession() { session.withLock { $0.id = nil } }

    /// libcurl keeps the time of an HTTP request itself; no task watches it.
    func request(
        _ message: JSONRPCMessage, options: SendOptions, timeout: Double,
        onMessage: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONRPCMessage {
        guard
            let answer = try await post(
                message, headers: Self.mirroredHeaders(for: message, options: options),
                captureSession: options.opensSession,
                timeout: timeout, onMessage: onMessage)
        else { throw MCPError(server: sender.serverName, .protocolViolation("no response")) }
        return answer
    }

    func send(_ message: JSONRPCMessage, options: SendOptions, timeout: Double) async throws(MCPError) {
        _ = try await post(message, headers: Self.mirroredHeaders(for: message, options: options), timeout: timeout)
    }

    /// Headers that mirror the body for intermediaries (streamable-http.mdx, Request Metadata):
    /// the revision on every message from 2025-06-18 on, and for a modern request its method,
    /// the name it is about and the tool arguments annotated with `x-mcp-header`.
    static func mirroredHeaders(for message: JSONRPCMessage, options: SendOptions) -> [(String, String)] {
        guard let version = options.protocolVersion else { return [] }
        let modern = ProtocolVersion.isModern(version)
        var headers: [(String, String)] = []
        guard case .request(_, let method, let requestParams) = message else {
            if ProtocolVersion.sendsVersionHeader(version) { headers.append(("MCP-Protocol-Version", version)) }
            return headers
        }
        if modern || ProtocolVersion.sendsVersionHeader(version) {
            headers.append(("MCP-Protocol-Version", version))
        }
        guard modern else { return headers }
        let params = requestParams ?? [:]
        headers.append(("Mcp-Method", method))
        if ["tools/call", "prompts/get"].contains(method), let name = params["name"]?.stringValue {
            headers.append(("Mcp-Name", ParameterHeaders.encode(name)))
        } else if method == "resources/read", let uri = params["uri"]?.stringValue {
            headers.append(("Mcp-Name", ParameterHeaders.encode(uri)))
        }
        if method == "tools/call", let mapping = options.toolHeaders {
            headers += mapping.headers(for: params["arguments"])
        }
        return headers
    }

    /// Posts one message. Returns the response to a request, or nil for an accepted
    /// notification. `onMessage` receives the notifications and server requests that arrive
    /// on the request's SSE stream before the response. A request still unanswered after
    /// `timeout` seconds fails with `.timeout` (libcurl ends the transfer).
    func post(
        _ message: JSONRPCMessage, headers: [(String, String)], captureSession: Bool = false,
        timeout: Double? = nil, onMessage: @Sendable (JSONRPCMessage) -> Void = { _ in }
    ) async throws(MCPError) -> JSONRPCMessage? {
        let started = ContinuousClock.now
        do {
            return try await exchange(
                message, headers: headers, captureSession: captureSession, timeout: timeout, started: started,
                onMessage: onMessage)
        } catch {
            // libcurl says "timed out" for the connection's own limit too; the request's is
            // the one that took the whole time.
            if let timeout, case .connection(let failure) = error.kind, failure.kind == .timeout,
                ContinuousClock.now - started >= BoundedSeconds.duration(timeout) - .milliseconds(1)
            {
                throw MCPError(server: sender.serverName, .timeout(seconds: timeout))
            }
            throw error
        }
    }

    private func exchange(
        _ message: JSONRPCMessage, headers: [(String, String)], captureSession: Bool, timeout: Double?,
        started: ContinuousClock.Instant, onMessage: @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONRPCMessage? {
        let body = message.json.serializedBytes()
        let (sessionID, expected) = session.withLock { ($0.id, $0.expected) }
        if expected, sessionID == nil, !captureSession, case .request = message {
            // Another request found the session gone and a new one is being made: sending
            // without an id would only earn a 400. Join the renewal instead.
            throw MCPError(server: sender.serverName, .sessionExpired)
        }
        let response = try await sender.stream {
            var request = HTTPRequest(
                method: "POST", url: endpoint, body: body, connectTimeout: connectTimeout, timeout: timeout)
            request.headers.add("Content-Type", "application/json")
            request.headers.add("Accept", "application/json, text/event-stream")
            if let sessionID { request.headers.add("Mcp-Session-Id", sessionID) }
            for (name, value) in headers { request.headers.set(name, value) }
            return request
        }
        let server = sender.serverName
        if response.status == 404, let sessionID {
            // 2025-11-25 transports: 404 on a session means start a new one. Only this session
            // is forgotten; a concurrent request may already have started the next.
            session.withLock { if $0.id == sessionID { $0.id = nil } }
            throw MCPError(server: server, .sessionExpired)
        }
        guard (200..<300).contains(response.status) else {
            throw await sender.statusError(response, url: endpoint)
        }
        if captureSession {
            let assigned = response.headers["Mcp-Session-Id"]
            session.withLock { $0 = Session(id: assigned, expected: assigned != nil) }
        }
        guard case .request(let id, _, _) = message else {
            return nil  // a notification: 202 Accepted, nothing to read
        }
        if response.status == 202 {
            throw MCPError(server: server, .protocolViolation("request \(id) answered 202 with no response"))
        }
        switch response.head.mediaType {
        case "application/json":
            let bytes = try await sender.collect(response)
            let reply: JSONRPCMessage
            do {
                reply = try JSONRPCMessage(bytes: bytes)
            } catch {
                throw MCPError(server: server, .protocolViolation("\(error) in the response to \(id)"))
            }
            return reply
        case "text/event-stream":
            let deadline = timeout.map { (seconds: $0, at: started + BoundedSeconds.duration($0)) }
            return try await Self.readEventStream(
                response.body, awaiting: id, deadline: deadline, server: server, onMessage: onMessage)
        case let other:
            throw MCPError(
                server: server,
                .protocolViolation(
                    "expected application/json or text/event-stream, got \(other ?? "no content type")"))
        }
    }

    /// The response to `id` from a request's event stream, the messages before it to
    /// `onMessage`. The `deadline` is checked here too: libcurl ends a transfer on time, but
    /// what it received by then (up to the body cap) is still queued for this loop, and a
    /// server flooding the stream with notifications would otherwise hold it for as long as
    /// they take to handle.
    static func readEventStream(
        _ body: AsyncThrowingStream<[UInt8], Error>, awaiting id: JSONRPCID,
        deadline: (seconds: Double, at: ContinuousClock.Instant)?, server: String,
        onMessage: @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONRPCMessage {
        var parser = SSEParser()
        do {
            for try await chunk in body {
                if let deadline, ContinuousClock.now >= deadline.at {
                    throw MCPError(server: server, .timeout(seconds: deadline.seconds))
                }
                for event in parser.feed(chunk) where event.type == "message" {
                    // An event with empty data primes a resumable stream (2025-11-25); skip it.
                    if event.data.isEmpty { continue }
                    let message: JSONRPCMessage
                    do {
                        message = try JSONRPCMessage(bytes: Array(event.data.utf8))
                    } catch {
                        throw MCPError(server: server, .protocolViolation("\(error) in an SSE event"))
                    }
                    if message.responseID == id { return message }
                    onMessage(message)
                }
            }
        } catch let error as MCPError {
            throw error
        } catch let error as HTTPError {
            throw MCPError(server: server, error.kind == .cancelled ? .cancelled : .connection(error))
        } catch {
            throw MCPError(server: server, .cancelled)
        }
        if Task.isCancelled { throw MCPError(server: server, .cancelled) }
        throw MCPError(server: server, .protocolViolation("the SSE stream ended before the response to request \(id)"))
    }

    /// The session's standing stream (GET, 2025-11-25 transports.mdx, Listening for Messages
    /// from the Server): the server's messages outside any request go to `onMessage` until the
    /// stream ends (returns) or the task is cancelled. A server that offers none (405) fails it
    /// with `.unsupported`.
    func listen(version: String, onMessage: @Sendable (JSONRPCMessage) -> Void) async throws(MCPError) {
        let server = sender.serverName
        guard let sessionID else { throw MCPError(server: server, .unsupported("no session to listen on")) }
        let response = try await sender.stream(longLived: true) {
            var request = HTTPRequest(method: "GET", url: endpoint, connectTimeout: connectTimeout, timeout: nil)
            request.headers.add("Accept", "text/event-stream")
            request.headers.add("Mcp-Session-Id", sessionID)
            if ProtocolVersion.sendsVersionHeader(version) { request.headers.add("MCP-Protocol-Version", version) }
            return request
        }
        if response.status == 405 {
            throw MCPError(server: server, .unsupported("the server offers no stream of its own (GET answered 405)"))
        }
        if response.status == 404 {
            session.withLock { if $0.id == sessionID { $0.id = nil } }
            throw MCPError(server: server, .sessionExpired)
        }
        guard (200..<300).contains(response.status), response.head.mediaType == "text/event-stream" else {
            throw await sender.statusError(response, url: endpoint)
        }
        var parser = SSEParser()
        do {
            for try await chunk in response.body {
                for event in parser.feed(chunk) where event.type == "message" && !event.data.isEmpty {
                    guard let message = try? JSONRPCMessage(bytes: Array(event.data.utf8)) else { continue }
                    onMessage(message)
                }
            }
        } catch let error as HTTPError {
            throw MCPError(server: server, error.kind == .cancelled ? .cancelled : .connection(error))
        } catch {
            throw MCPError(server: server, .cancelled)
        }
    }

    /// Ends a stateful session with DELETE (2025-11-25 transports, Session Management).
    /// A 405 means the server does not allow it, which is fine.
    func close() async {
        guard let session = sessionID else { return }
        forgetSession()
        guard
            let response = try? await sender.stream({
                var request = HTTPRequest(
                    method: "DELETE", url: endpoint, connectTimeout: connectTimeout, timeout: 5)
                request.headers.add("Mcp-Session-Id", session)
                return request
            })
        else { return }
        _ = try? await sender.collect(response)
    }
}
