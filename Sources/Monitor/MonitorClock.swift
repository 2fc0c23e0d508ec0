import Foundation
import MCPClient
import Support
import Synchronization

/// Time for the monitor, so tests can move it by hand.
public protocol MonitorClock: Sendable {
    var now: Date { get }
    /// Calls `action` once at `deadline` (at once if it has passed), on any thread, unless
    /// the alarm is cancelled first. No task waits meanwhile: a hundred supervisors each
    /// waiting for their next health check cost a table entry each, not a task and a timer.
    func alarm(at deadline: Date, _ action: @escaping @Sendable () -> Void) -> MonitorAlarm
}

/// An alarm set on a `MonitorClock`; `cancel` stops it if it has not fired yet.
public struct MonitorAlarm: Sendable {
    private let cancelAction: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void) {
        cancelAction = cancel
    }

    public func cancel() { cancelAction() }
}

public struct SystemMonitorClock: MonitorClock {
    public init() {}
    public var now: Date { Date() }

    public func alarm(at deadline: Date, _ action: @escaping @Sendable () -> Void) -> MonitorAlarm {
        let id = Deadlines.shared.schedule(after: deadline.timeIntervalSinceNow, action)
        return MonitorAlarm { Deadlines.shared.cancel(id) }
    }
}

/// A clock that only moves when told to.
public final class ManualMonitorClock: MonitorClock {
    private struct State {
        var now: Date
        var alarms: [UUID: (deadline: Date, fire: @Sendable () -> Void)] = [:]
    }
    private let state: Mutex<State>

    public init(now: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex(State(now: now))
    }

    public var now: Date { state.withLock { $0.now } }

    public func alarm(at deadline: Date, _ action: @escaping @Sendable () -> Void) -> MonitorAlarm {
        let id = UUID()
        let ready = state.withLock { state -> Bool in
            if deadline <= state.now { return true }
            state.alarms[id] = (deadline, action)
            return false
        }
        if ready { action() }
        return MonitorAlarm { [self] in _ = state.withLock { $0.alarms.removeValue(forKey: id) } }
    }

    /// The deadlines of the alarms set and neither fired nor cancelled, earliest first. A
    /// supervisor waiting for its next health check, refresh or retry has exactly one; one
    /// waiting for the user alone (needs login, config) has none. Tests ask this instead of
    /// sleeping a while to see that nothing happened.
    public var pendingAlarms: [Date] {
        state.withLock { $0.alarms.values.map(\.deadline) }.sorted()
    }

    /// Waits until `count` alarms are pending: each supervisor on this clock has done what the
    /// time asked of it and waits for its next deadline. Returns their deadlines, or nil if
    /// that did not happen within `timeout` (real time).
    public func settled(alarms count: Int = 1, timeout: Duration = .seconds(10)) async -> [Date]? {
        let end = ContinuousClock.now + timeout
        while true {
            // An alarm whose deadline has come is fired and gone (`alarm`, `advance`): those
            // left are all in the future.
            let pending = pendingAlarms
            if pending.count == count { return pending }
            guard ContinuousClock.now < end else { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Moves time forward and fires every alarm whose deadline has come.
    public func advance(by seconds: Double) {
        let due = state.withLock { state -> [@Sendable () -> Void] in
            state.now = state.now.addingTimeInterval(seconds)
            let due = state.alarms.filter { $0.value.deadline <= state.now }
            for key in due.keys { state.alarms[key] = nil }
            return due.values.map(\.fire)
        }
        for fire in due { fire() }
    }
}
