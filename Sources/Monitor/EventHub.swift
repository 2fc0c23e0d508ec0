import Synchronization

/// Fans monitor events out to any number of subscribers. Each subscriber has its own bounded
/// buffer that keeps the newest events, so a slow reader loses old events instead of stalling
/// the monitor.
public final class EventHub: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<MonitorEvent>.Continuation]>([:])
    private let nextID = Mutex(0)

    public init() {}

    public func subscribe(buffer: Int = 1024) -> AsyncStream<MonitorEvent> {
        let (stream, continuation) = AsyncStream<MonitorEvent>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        let id = nextID.withLock { id -> Int in
            id += 1
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    public func publish(_ event: MonitorEvent) {
        let targets = subscribers.withLock { Array($0.values) }
        for target in targets { target.yield(event) }
    }

    /// Ends every subscriber's stream.
    public func finish() {
        let targets = subscribers.withLock { subscribers -> [AsyncStream<MonitorEvent>.Continuation] in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for target in targets { target.finish() }
    }
}
