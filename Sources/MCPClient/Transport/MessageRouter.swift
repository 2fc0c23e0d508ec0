import Support
import Synchronization

/// Matches responses to waiting requests on transports where all messages share one inbound
/// stream (stdio, the legacy HTTP+SSE transport), and routes each progress notification to
/// the request whose progress token it names.
final class MessageRouter: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<JSONRPCMessage, Error>
        var progressToken: JSONValue?
        var onMessage: @Sendable (JSONRPCMessage) -> Void
    }

    private struct State {
        var waiters: [JSONRPCID: Waiter] = [:]
        var closed: MCPError?
        var onClose: (@Sendable (MCPError) -> Void)?
    }

    private let serverName: String
    private let state = Mutex(State())

    init(serverName: String) {
        self.serverName = serverName
    }

    /// Registers the request, runs `send`, and waits for the response.
    func request(
        id: JSONRPCID, progressToken: JSONValue?, onMessage: @escaping @Sendable (JSONRPCMessage) -> Void,
        send: @escaping @Sendable () async throws(MCPError) -> Void
    ) async throws(MCPError) -> JSONRPCMessage {
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let refused = state.withLock { state -> MCPError? in
                        if let closed = state.closed { return closed }
                        if Task.isCancelled { return MCPError(server: serverName, .cancelled) }
                        state.waiters[id] = Waiter(
                            continuation: continuation, progressToken: progressToken, onMessage: onMessage)
                        return nil
                    }
                    if let refused { continuation.resume(throwing: refused) }
                    if refused == nil {
                        Task {
                            do throws(MCPError) {
                                try await send()
                            } catch {
                                self.resolve(id, with: .failure(error))
                            }
                        }
                    }
                }
            } onCancel: {
                resolve(id, with: .failure(MCPError(server: serverName, .cancelled)))
            }
        } catch let error as MCPError {
            throw error
        } catch {
            throw MCPError(server: serverName, .cancelled)
        }
    }

    private func resolve(_ id: JSONRPCID, with result: Result<JSONRPCMessage, MCPError>) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.continuation.resume(with: result.mapError { $0 as Error })
    }

    /// Delivers an inbound message. Returns false when nobody was waiting for it.
    @discardableResult
    func deliver(_ message: JSONRPCMessage) -> Bool {
        if let id = message.responseID {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: message)
            return waiter != nil
        }
        if case .notification("notifications/progress", let params) = message,
            let token = params?["progressToken"]
        {
            let handler = state.withLock { state in
                state.waiters.values.first { $0.progressToken == token }?.onMessage
            }
            handler?(message)
            return handler != nil
        }
        return false
    }

    /// The transport is gone: every waiting request fails with `error`, and so do later ones.
    func close(with error: MCPError) {
        let (waiters, onClose) = state.withLock { state -> ([Waiter], (@Sendable (MCPError) -> Void)?) in
            var onClose: (@Sendable (MCPError) -> Void)?
            if state.closed == nil {
                state.closed = error
                onClose = state.onClose
            }
            state.onClose = nil
            defer { state.waiters.removeAll() }
            return (Array(state.waiters.values), onClose)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
        onClose?(error)
    }

    /// Calls `handler` once with the error the transport closed with (at once if it has).
    func whenClosed(_ handler: @escaping @Sendable (MCPError) -> Void) {
        let closed = state.withLock { state -> MCPError? in
            if state.closed == nil { state.onClose = handler }
            return state.closed
        }
        if let closed { handler(closed) }
    }

    var isClosed: Bool { state.withLock { $0.closed != nil } }
}
