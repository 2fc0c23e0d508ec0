import Hummingbird
import Logging
import NIOPosix
import ServiceLifecycle

/// A Hummingbird server on a local address, for the listeners mcptop runs itself: the login
/// redirect, `mcptop serve`, `/metrics`, and the test servers. It starts at `init` (so a
/// caller can keep it under its lock before the first `await`), `listening()` tells the bound
/// port or why it could not listen, and `stop()` ends it. Hummingbird's own log lines (every
/// start at info, every stop at error) are kept off stderr, which belongs to the command.
public final class LocalServer: Sendable {
    private let task: Task<Void, Never>
    /// Runs the application, so that `stop()` can shut it down gracefully before cancelling.
    private let services: ServiceGroup
    private let outcome: AsyncStream<Result<Int, any Error>>
    /// With `ownThread`: the loop's own group, shut down by `stop()`.
    private let group: MultiThreadedEventLoopGroup?
    /// With `ownThread`: runs the server's request handlers, and any task that prefers it,
    /// on the thread that reads and writes the connections.
    public let executor: EventLoopExecutor?

    /// Where the server stopped before it listened.
    public struct StoppedBeforeListening: Error, CustomStringConvertible {
        public var description: String { "the server stopped before it listened" }
    }

    /// Listens on `host:port` (`port` 0: any free one) with `router`; `label` names its logger.
    /// `ownThread`: one event loop of the server's own, on whose thread the handlers run too
    /// (`executor`): fewer thread hand-offs per request, for a server on the path of every
    /// call (`mcptop serve`); its handlers must never block.
    public init<Builder: HTTPResponderBuilder>(
        router: Builder, host: String, port: Int, label: String, ownThread: Bool = false
    )
    where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (outcome, continuation) = AsyncStream<Result<Int, any Error>>.makeStream()
        self.outcome = outcome
        // Never logs (the level is critical), and a handler that cannot prettify metadata
        // costs nothing when Hummingbird tags each request with its id.
        let logger = Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
        let group = ownThread ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let executor = group.map { EventLoopExecutor(loop: $0.next()) }
        self.group = group
        self.executor = executor
        let application = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in continuation.yield(.success(channel.localAddress?.port ?? port)) },
            eventLoopGroupProvider: group.map { .shared($0) } ?? .singleton,
            logger: logger)
        let services = ServiceGroup(services: [application], logger: logger)
        self.services = services
        task = Task(executorPreference: executor) {
            do {
                try await services.run()
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

    /// Stops listening and waits for the server to end: idle connections close at once,
    /// requests under way get `grace` seconds to finish and are then cancelled (a stream).
    ///
    /// Not by cancelling the serving task alone: connections accepted but not yet served
    /// would then never be, and NIO traps on those ("Deinited NIOAsyncWriter without calling
    /// finish()", apple/swift-nio#3481). A graceful shutdown closes the listening socket and
    /// serves what it accepted first.
    public func stop(grace: Double = 0.5) async {
        executor?.close()
        await services.triggerGracefulShutdown()
        let task = self.task
        let cutoff = Task {
            try? await Task.sleep(for: .seconds(grace))
            task.cancel()
        }
        await task.value
        cutoff.cancel()
        try? await group?.shutdownGracefully()
    }
}
