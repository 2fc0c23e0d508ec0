import Hummingbird
import Logging

/// A Hummingbird server on a local address, for the listeners mcptop runs itself: the login
/// redirect, `mcptop serve`, `/metrics`, and the test servers. It starts at `init` (so a
/// caller can keep it under its lock before the first `await`), `listening()` tells the bound
/// port or why it could not listen, and `stop()` ends it. Hummingbird's own log lines (every
/// start at info, every stop at error) are kept off stderr, which belongs to the command.
public final class LocalServer: Sendable {
    private let task: Task<Void, Never>
    private let outcome: AsyncStream<Result<Int, any Error>>

    /// Where the server stopped before it listened.
    public struct StoppedBeforeListening: Error, CustomStringConvertible {
        public var description: String { "the server stopped before it listened" }
    }

    /// Listens on `host:port` (`port` 0: any free one) with `router`; `label` names its logger.
    public init<Builder: HTTPResponderBuilder>(router: Builder, host: String, port: Int, label: String)
    where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (outcome, continuation) = AsyncStream<Result<Int, any Error>>.makeStream()
        self.outcome = outcome
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let application = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in continuation.yield(.success(channel.localAddress?.port ?? port)) },
            logger: logger)
        task = Task {
            do {
                try await application.run()
                continuation.yield(.failure(StoppedBeforeListening()))
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
    }

    /// The bound port once the server accepts connections, or the error that stopped it.
    public func listening() async throws -> Int {
        for await result in outcome { return try result.get() }
        throw StoppedBeforeListening()
    }

    /// Stops listening and waits for the server to end; requests under way are cancelled.
    public func stop() async {
        task.cancel()
        await task.value
    }
}
