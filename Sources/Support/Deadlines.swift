import Foundation
import HeapModule
import Synchronization

/// Request timeouts and the monitor's alarms (health checks, refreshes) on one thread. A
/// sleeping task per deadline costs a task and a dispatch timer that stays armed even when
/// the deadline is no longer needed; with a hundred servers, arming, re-arming and firing
/// those timers was the largest part of the monitor's CPU. Here a deadline that is no longer
/// needed is simply forgotten, and the thread sleeps in `poll` until the earliest one is due.
public final class Deadlines: Sendable {
    public static let shared = Deadlines()

    /// Deadlines are fired up to this late, so ones due close together (a hundred servers'
    /// health checks) are fired in one wake-up rather than one each.
    static let slack: Duration = .milliseconds(20)

    private struct Due: Comparable {
        let at: ContinuousClock.Instant
        let id: UInt64
        static func < (a: Due, b: Due) -> Bool { (a.at, a.id) < (b.at, b.id) }
    }

    private struct State {
        var nextID: UInt64 = 0
        /// The deadlines not yet fired nor cancelled.
        var pending: [UInt64: @Sendable () -> Void] = [:]
        /// Every deadline by due time; cancelled ones are dropped when they reach the top.
        var queue = Heap<Due>()
        /// When the thread will next look, if it is waiting for a deadline; nil when idle.
        var wakesAt: ContinuousClock.Instant?
        var started = false

        /// The earliest pending deadline, after dropping cancelled ones from the top.
        mutating func earliest() -> Due? {
            while let top = queue.min, pending[top.id] == nil { queue.removeMin() }
            return queue.min
        }
    }

    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { fatalError("mcptop: cannot create a pipe for request timeouts") }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    /// Calls `fire` (on the deadline thread) after `seconds`, unless cancelled first. Any
    /// number is accepted: NaN and negatives fire at once, an absurd one after ten years.
    public func schedule(after seconds: Double, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        let due = ContinuousClock.now.advanced(by: BoundedSeconds.duration(seconds))
        let (id, start, wake) = state.withLock { state -> (UInt64, Bool, Bool) in
            state.nextID += 1
            state.pending[state.nextID] = fire
            state.queue.insert(Due(at: due, id: state.nextID))
            let start = !state.started
            state.started = true
            let wake = state.wakesAt.map { due + Deadlines.slack < $0 } ?? true
            return (state.nextID, start, wake && !start)
        }
        if start {
            let thread = Thread { self.run() }
            thread.name = "mcptop-deadlines"
            thread.start()
        } else if wake {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        return id
    }

    /// Forgets a deadline before it fires. Returns false when it was too late: the deadline
    /// has fired (or is firing).
    @discardableResult
    public func cancel(_ id: UInt64) -> Bool {
        state.withLock { $0.pending.removeValue(forKey: id) } != nil
    }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let now = ContinuousClock.now
            let (due, earliest) = state.withLock { state -> ([@Sendable () -> Void], ContinuousClock.Instant?) in
                var due: [@Sendable () -> Void] = []
                while let top = state.earliest(), top.at <= now {
                    state.queue.removeMin()
                    if let fire = state.pending.removeValue(forKey: top.id) { due.append(fire) }
                }
                state.wakesAt = state.earliest().map { $0.at + Deadlines.slack }
                return (due, state.wakesAt)
            }
            for fire in due { fire() }
            if !due.isEmpty { continue }
            var timeout: Int32 = -1
            if let earliest {
                let (seconds, attoseconds) = (earliest - now).components
                let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
                timeout = Int32(clamping: max(0, milliseconds))
            }
            var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, timeout) > 0 {
                while read(wakeRead, &buffer, buffer.count) > 0 {}
            }
        }
    }
}
