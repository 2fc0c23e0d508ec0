import Bridge
import Foundation
import HTTP
import MCPClient
import OAuth
import Support
import Synchronization

/// All supervisors and the one event stream they feed. The dashboard and `watch` are its
/// users; nothing here knows about a screen.
public final class Monitor: Sendable {
    public let hub = EventHub()
    private let runner = Mutex<Task<Void, Never>?>(nil)
    /// Every supervisor, in the config's order, then those added while running.
    private let list: Mutex<[Supervisor]>
    /// Supervisors added after `start()`, for the running task group to run.
    private let arrivals: AsyncStream<Supervisor>
    private let arrived: AsyncStream<Supervisor>.Continuation
    private let makeSupervisor: @Sendable (ServerSpec) -> Supervisor

    public init(
        specs: [ServerSpec], store: TokenStore, clock: any MonitorClock = SystemMonitorClock(),
        options: MonitorOptions = MonitorOptions(), http: HTTPClient = .shared
    ) {
        let hub = self.hub
        bridgeFolder = options.bridgeFolder
        let gate = ConnectGate(limit: options.concurrentConnects)
        makeSupervisor = {
            Supervisor(spec: $0, store: store, hub: hub, clock: clock, options: options, http: http, gate: gate)
        }
        list = Mutex(specs.map(makeSupervisor))
        (arrivals, arrived) = AsyncStream.makeStream(of: Supervisor.self)
    }

    private let bridgeFolder: String?

    public var supervisors: [Supervisor] { list.withLock { $0 } }

    /// Follows the bridges' files (twice a second) until cancelled: their clients' calls go to
    /// the supervisor of the server they called.
    private func follow(_ reader: BridgeActivity.Reader) async {
        while !Task.isCancelled {
            for event in reader.poll() { await supervisor(named: event.server)?.recordBridged(event) }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    public func supervisor(named name: String) -> Supervisor? {
        supervisors.first { $0.spec.name == name }
    }

    /// Watches further servers (the dashboard's import): each gets a supervisor, running at once
    /// if the monitor runs. A name already watched is left as it is. Returns the names added.
    @discardableResult
    public func add(_ specs: [ServerSpec]) -> [String] {
        let added = list.withLock { list -> [Supervisor] in
            var added: [Supervisor] = []
            for spec in specs where !(list + added).contains(where: { $0.spec.name == spec.name }) {
                added.append(makeSupervisor(spec))
            }
            list += added
            return added
        }
        for supervisor in added { arrived.yield(supervisor) }
        return added.map(\.spec.name)
    }

    /// Starts every supervisor, and those added later as they come.
    public func start() {
        let supervisors = self.supervisors
        let arrivals = self.arrivals
        let bridges = bridgeFolder.map(BridgeActivity.Reader.init(folder:))
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for supervisor in supervisors {
                    group.addTask { await supervisor.run() }
                }
                if let bridges {
                    group.addTask { await self.follow(bridges) }
                }
                for await supervisor in arrivals where !supervisors.contains(where: { $0 === supervisor }) {
                    group.addTask { await supervisor.run() }
                }
            }
        }
        runner.withLock { $0 = task }
    }

    /// Stops every supervisor: cancelling them cancels their connects and requests, and a
    /// refresh under way finishes and is stored first. A supervisor still busy after `grace`
    /// (a token endpoint that never answers) is not waited for any longer, so that a quitting
    /// program is never held up by a server. Returns false when one was left behind.
    @discardableResult
    public func stop(grace: Duration = Monitor.stopGrace) async -> Bool {
        guard
            let task = runner.withLock({ current -> Task<Void, Never>? in
                defer { current = nil }
                return current
            })
        else { return true }
        task.cancel()
        let stopped = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let pending = Mutex<CheckedContinuation<Bool, Never>?>(continuation)
            let finish: @Sendable (Bool) -> Void = { stopped in
                pending.withLock { waiting in
                    defer { waiting = nil }
                    return waiting
                }?.resume(returning: stopped)
            }
            let (seconds, attoseconds) = grace.components
            let deadline = Deadlines.shared.schedule(after: Double(seconds) + Double(attoseconds) / 1e18) {
                finish(false)
            }
            Task {
                await task.value
                Deadlines.shared.cancel(deadline)
                finish(true)
            }
        }
        hub.finish()
        return stopped
    }

    /// How long `stop()` waits for supervisors by default: enough for a refresh on a working
    /// network to finish and be stored.
    public static let stopGrace: Duration = .seconds(2)

    public func snapshots() async -> [ServerSnapshot] {
        var result: [ServerSnapshot] = []
        for supervisor in supervisors { result.append(await supervisor.snapshot()) }
        return result
    }
}
