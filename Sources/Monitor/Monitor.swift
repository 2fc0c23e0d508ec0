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
    public let supervisors: [Supervisor]
    private let runner = Mutex<Task<Void, Never>?>(nil)

    public init(
        specs: [ServerSpec], store: TokenStore, clock: any MonitorClock = SystemMonitorClock(),
        options: MonitorOptions = MonitorOptions(), http: HTTPClient = .shared
    ) {
        let hub = self.hub
        bridgeFolder = options.bridgeFolder
        let gate = ConnectGate(limit: options.concurrentConnects)
        supervisors = specs.map {
            Supervisor(spec: $0, store: store, hub: hub, clock: clock, options: options, http: http, gate: gate)
        }
    }

    private let bridgeFolder: String?

    /// Follows the bridges' files (twice a second) until cancelled: their clients' calls go to
    /// the supervisor of the server they called.
    private static func follow(_ reader: BridgeActivity.Reader, supervisors: [Supervisor]) async {
        let byName = Dictionary(supervisors.map { ($0.spec.name, $0) }, uniquingKeysWith: { first, _ in first })
        while !Task.isCancelled {
            for event in reader.poll() { await byName[event.server]?.recordBridged(event) }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    public func supervisor(named name: String) -> Supervisor? {
        supervisors.first { $0.spec.name == name }
    }

    /// Starts every supervisor.
    public func start() {
        let supervisors = self.supervisors
        let bridges = bridgeFolder.map(BridgeActivity.Reader.init(folder:))
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for supervisor in supervisors {
                    group.addTask { await supervisor.run() }
                }
                if let bridges {
                    group.addTask { await Self.follow(bridges, supervisors: supervisors) }
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
