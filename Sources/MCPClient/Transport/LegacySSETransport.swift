import Foundation
import HTTP
import Support
import Synchronization

/// The deprecated HTTP+SSE transport of 2024-11-05: a long-lived GET stream whose first
/// `endpoint` event names the URL to POST messages to; responses come back on the stream.
final class LegacySSETransport: MessageTransport {
    let router: MessageRouter
    let sseURL: String
    private let sender: AuthorizedHTTP
    private let connectTimeout: Double
    private let onServerMessage: @Sendable (JSONRPCMessage) -> Void
    private struct State {
        /// Where to POST, from the `endpoint` event.
        var endpoint: String?
        /// `connect()` waiting for the `endpoint` event.
        var waiter: CheckedContinuation<String, Error>?
        var reader: Task<Void, Never>?
        /// The stream's response head arrived (for the timeout's message).
        var answered = false
        var closed = false
    }
    private let state = Mutex(State())

    var kind: ServerInfo.TransportKind { .sse }

    func whenLost(_ handler: @escaping @Sendable (MCPError) -> Void) { router.whenClosed(handler) }

    var sessionID: String? { nil }

    init(
        sseURL: String, sender: AuthorizedHTTP, connectTimeout: Double,
        onServerMessage: @escaping @Sendable (JSONRPCMessage) -> Void
    ) {
        self.sseURL = sseURL
        self.sender = sender
        self.connectTimeout = connectTimeout
        self.onServerMessage = onServerMessage
        router = MessageRouter(serverName: sender.serverName)
    }

    /// Opens the stream and waits for the `endpoint` event, at most the connect timeout: the
    /// stream itself has no time limit (it is long-lived), and a server that answers the GET
    /// but never names an endpoint must not hold the connect forever.
    func connect() async throws(MCPError) {
        let server = sender.serverName
        do {
            try await withTimeout(connectTimeout, server: server) { () throws(MCPError) in
                try await self.openStream()
            }
        } catch {
            guard case .timeout(let seconds) = error.kind else { throw error }
            close()
            let within = "within \(JSONValue.format(seconds)) s"
            let detail =
                state.withLock { $0.answered }
                ? "it sent no endpoint event \(within)" : "no response to the SSE request \(within)"
            throw MCPError(server: server, .connection(HTTPError(.timeout, url: sseURL, detail: detail)))
        }
    }

    private func openStream() async throws(MCPError) {
        let server = sender.serverName
        let response = try await sender.stream(longLived: true) {
            var request = HTTPRequest(url: sseURL, connectTimeout: connectTimeout, timeout: nil)
            request.headers.add("Accept", "text/event-stream")
            return request
        }
        state.withLock { $0.answered = true }
        guard response.status == 200 else { throw await sender.statusError(response, url: sseURL) }
        guard response.head.mediaType == "text/event-stream" else {
            throw MCPError(
                server: server,
                .protocolViolation("\(sseURL) is not an SSE stream (\(response.head.mediaType ?? "no content type"))"))
        }
        do {
            _ = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    // Closed already (cancelled before we got here): nobody would resume us.
                    let closed = state.withLock { state -> Bool in
                        if state.closed { return true }
                        state.waiter = continuation
                        state.reader = Task { await self.read(response) }
                        return false
                    }
                    if closed { continuation.resume(throwing: MCPError(server: server, .cancelled)) }
                }
            } onCancel: {
                self.close()
            }
        } catch let error as MCPError {
            throw error
        } catch {
            throw MCPError(server: server, .cancelled)
        }
    }

    private func read(_ response: HTTPStreamingResponse) async {
        let server = sender.serverName
        var parser = SSEParser()
        var failure = MCPError(server: server, .protocolViolation("the SSE stream was closed by the server"))
        do {
            for try await chunk in response.body {
                let events = parser.feed(chunk)
                if parser.bufferedBytes > sender.maxBodyBytes {
                    throw MCPError(
                        server: server,
                        .connection(HTTPError(.bodyTooLarge(limit: sender.maxBodyBytes), url: sseURL)))
                }
                for event in events {
                    switch event.type {
                    case "endpoint":
                        guard let url = resolveEndpoint(event.data) else {
                            failure = MCPError(
                                server: server,
                                .protocolViolation("endpoint \(event.data) is not on the origin of \(sseURL)"))
                            throw failure
                        }
                        let waiter = state.withLock { state in
                            if state.endpoint == nil { state.endpoint = url }
                            defer { state.waiter = nil }
                            return state.waiter
                        }
                        waiter?.resume(returning: url)
                    case "message":
                        guard let message = try? JSONRPCMessage(bytes: Array(event.data.utf8)) else {
                            continue  // one bad event does not end the session
                        }
                        if !router.deliver(message) { onServerMessage(message) }
                    default:
                        continue
                    }
                }
            }
        } catch let error as MCPError {
            failure = error
        } catch let error as HTTPError {
            failure = MCPError(server: server, error.kind == .cancelled ? .cancelled : .connection(error))
        } catch {
            failure = MCPError(server: server, .cancelled)
        }
        // A cancelled reader sees the stream end early; that is no fault of the server's.
        if Task.isCancelled { failure = MCPError(server: server, .cancelled) }
        let waiter = state.withLock { state in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: failure)
        router.close(with: failure)
    }

    /// The endpoint may be relative; it must stay on the SSE URL's origin so that credentials
    /// are never sent elsewhere.
    private func resolveEndpoint(_ text: String) -> String? {
        guard let base = URL(string: sseURL),
            let resolved = URL(string: text.trimmed(newlines: false), relativeTo: base)?
                .absoluteURL,
            resolved.scheme == base.scheme, resolved.host == base.host, resolved.port == base.port
        else { return nil }
        return resolved.absoluteString
    }

    /// POSTs one message to the endpoint; the POST may take `timeout` seconds.
    private func post(_ message: JSONRPCMessage, timeout: Double = 30) async throws(MCPError) {
        guard let url = state.withLock({ $0.endpoint }) else {
            throw MCPError(server: sender.serverName, .protocolViolation("no endpoint event received"))
        }
        let body = message.json.serializedBytes()
        let response = try await sender.stream {
            var request = HTTPRequest(
                method: "POST", url: url, body: body, connectTimeout: connectTimeout, timeout: timeout)
            request.headers.add("Content-Type", "application/json")
            return request
        }
        guard (200..<300).contains(response.status) else {
            throw await sender.statusError(response, url: url)
        }
        _ = try await sender.collect(response)
    }

    /// The response comes back on the stream; the POST only hands the request over.
    func request(
        _ message: JSONRPCMessage, options: SendOptions, timeout: Double,
        onMessage: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONRPCMessage {
        try await withTimeout(timeout, server: sender.serverName) { () throws(MCPError) in
            guard case .request(let id, _, _) = message else {
                try await self.post(message)
                return message
            }
            return try await self.router.request(
                id: id, progressToken: message.progressToken, onMessage: onMessage
            ) { () throws(MCPError) in try await self.post(message) }
        }
    }

    func send(_ message: JSONRPCMessage, options: SendOptions, timeout: Double) async throws(MCPError) {
        // The POST's own limit would report a transfer timeout; this one says what it was.
        try await withTimeout(timeout, server: sender.serverName) { () throws(MCPError) in
            try await self.post(message, timeout: timeout)
        }
    }

    func close() {
        let (reader, waiter) = state.withLock { state in
            state.closed = true
            defer { state.waiter = nil }
            return (state.reader, state.waiter)
        }
        reader?.cancel()
        let cancelled = MCPError(server: sender.serverName, .cancelled)
        waiter?.resume(throwing: cancelled)
        router.close(with: cancelled)
    }
}
