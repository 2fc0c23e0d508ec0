import Foundation
import HTTP
import MCPClient
import OAuth
import Synchronization

/// All supervisors and the one event stream they feed. The dashboard and `watch` are its
/// users; nothing here knows about a screen.
public final class Monitor: Sendable {
    public let hub = EventHub()
    public let supervisors: [Supervisor]
    private let runner = Mutex<Task<Void, Never>?>(nil)

    public init(
        specs: [ServerSpec], store: TokenStore, clock: any MonitorClock = SystemMonitorClock(),
        options: MonitorOptions = MonitorOptions(), http: HTTPClient = .shared
    ) {
        let hub = self.hub
        let gate = ConnectGate(limit: options.concurrentConnects)
        supervisors = specs.map {
            Supervisor(spec: $0, store: store, hub: hub, clock: clock, options: options, http: http, gate: gate)
        }
    }

    public func supervisor(named name: String) -> Supervisor? {
        supervisors.first { $0.spec.name == name }
    }

    /// Starts every supervisor.
    public func start() {
        let supervisors = self.supervisors
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for supervisor in supervisors {
                    group.addTask { await supervisor.run() }
                }
            }
        }
        runner.withLock { $0 = task }
    }

    /// Stops every supervisor; refreshes under way finish and are stored first.
    public func stop() async {
        guard
            let task = runner.withLock({ current -> Task<Void, Never>? in
                defer { current = nil }
                return current
            })
        else { return }
        task.cancel()
        await task.value
        hub.finish()
    }

    public func snapshots() async -> [ServerSnapshot] {
        var result: [ServerSnapshot] = []
        for supervisor in supervisors { result.append(await supervisor.snapshot()) }
        return result
    }
}
