import Foundation
import HTTP
import Synchronization

/// The deprecated HTTP+SSE transport of 2024-11-05: a long-lived GET stream whose first
/// `endpoint` event names the URL to POST messages to; responses come back on the stream.
final class LegacySSETransport: Sendable {
    let router: MessageRouter
    let sseURL: String
    private let sender: AuthorizedHTTP
    private let connectTimeout: Double
    private let onServerMessage: @Sendable (JSONRPCMessage) -> Void
    private let endpoint = Mutex<String?>(nil)
    private let endpointWaiter = Mutex<CheckedContinuation<String, Error>?>(nil)
    private let reader = Mutex<Task<Void, Never>?>(nil)

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

    /// Opens the stream and waits for the `endpoint` event.
    func connect() async throws(MCPError) {
        let server = sender.serverName
        let response = try await sender.stream(longLived: true) {
            var request = HTTPRequest(url: sseURL, connectTimeout: connectTimeout, timeout: nil)
            request.headers.add("Accept", "text/event-stream")
            return request
        }
        guard response.status == 200 else { throw await sender.statusError(response, url: sseURL) }
        guard response.head.mediaType == "text/event-stream" else {
            throw MCPError(
                server: server,
                .protocolViolation("\(sseURL) is not an SSE stream (\(response.head.mediaType ?? "no content type"))"))
        }
        do {
            let url = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    endpointWaiter.withLock { $0 = continuation }
                    let task = Task { await self.read(response) }
                    reader.withLock { $0 = task }
                }
            } onCancel: {
                self.close()
            }
            endpoint.withLock { $0 = url }
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
                        endpointWaiter.withLock { $0 }?.resume(returning: url)
                        endpointWaiter.withLock { $0 = nil }
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
        endpointWaiter.withLock { $0 }?.resume(throwing: failure)
        endpointWaiter.withLock { $0 = nil }
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

    func send(_ message: JSONRPCMessage) async throws(MCPError) {
        guard let url = endpoint.withLock({ $0 }) else {
            throw MCPError(server: sender.serverName, .protocolViolation("no endpoint event received"))
        }
        let body = message.json.serializedBytes()
        let response = try await sender.stream {
            var request = HTTPRequest(
                method: "POST", url: url, body: body, connectTimeout: connectTimeout, timeout: 30)
            request.headers.add("Content-Type", "application/json")
            return request
        }
        guard (200..<300).contains(response.status) else {
            throw await sender.statusError(response, url: url)
        }
        _ = try await sender.collect(response)
    }

    func request(
        _ message: JSONRPCMessage, progressToken: JSONValue?,
        onMessage: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONRPCMessage {
        guard case .request(let id, _, _) = message else {
            try await send(message)
            return message
        }
        return try await router.request(id: id, progressToken: progressToken, onMessage: onMessage) {
            () throws(MCPError) in try await self.send(message)
        }
    }

    func close() {
        reader.withLock { $0 }?.cancel()
        router.close(with: MCPError(server: sender.serverName, .cancelled))
    }
}
