import MCPClient
import Synchronization

/// What a forwarded request sends its client before the answer (progress, a stateful client's
/// questions), in the order it came and all of it before the answer (progress "MUST stop
/// after completion", 2025-11-25 progress.mdx). The task that writes them starts with the
/// first one: most requests have none, and then cost no task and no thread hand-off.
final class OrderedSender: Sendable {
    private struct Writer {
        var continuation: AsyncStream<JSONRPCMessage>.Continuation
        var task: Task<Void, Never>
    }

    private struct State {
        var writer: Writer?
        var ended = false
    }

    private let send: ProxySession.Send
    private let state = Mutex(State())

    init(_ send: @escaping ProxySession.Send) {
        self.send = send
    }

    /// Queues `message` for the client; dropped once the request has ended.
    func yield(_ message: JSONRPCMessage) {
        let send = self.send
        state.withLock { state in
            guard !state.ended else { return }
            if state.writer == nil {
                let (messages, continuation) = AsyncStream<JSONRPCMessage>.makeStream(bufferingPolicy: .unbounded)
                let task = Task {
                    for await message in messages { await send(message) }
                }
                state.writer = Writer(continuation: continuation, task: task)
            }
            state.writer?.continuation.yield(message)
        }
    }

    /// Takes no more, and returns once everything queued has been sent.
    func finish() async {
        await end()?.value
    }

    /// Takes no more; what is queued is still sent, by the writer's task, which is returned.
    @discardableResult
    func end() -> Task<Void, Never>? {
        state.withLock { state in
            state.ended = true
            state.writer?.continuation.finish()
            return state.writer?.task
        }
    }
}
