import Foundation
import Synchronization

/// Request timeouts on one thread. A sleeping child task per request costs a task and a
/// dispatch timer that stays armed for the full timeout even when the answer came in a
/// millisecond; with a hundred servers pinged on schedule, arming, re-arming and firing those
/// timers was the largest part of the monitor's CPU. Here a deadline that is no longer
/// needed is simply removed, and the thread sleeps in `poll` until the earliest one is due.
final class Deadlines: Sendable {
    static let shared = Deadlines()

    private struct Entry {
        let due: ContinuousClock.Instant
        let fire: @Sendable () -> Void
    }

    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        /// When the thread will next look, if it is waiting for a deadline; nil when idle.
        var wakesAt: ContinuousClock.Instant?
        var started = false
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

    /// Calls `fire` (on the deadline thread) after `seconds`, unless cancelled first.
    func schedule(after seconds: Double, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        let due = ContinuousClock.now.advanced(by: .seconds(max(0, seconds)))
        let (id, start, wake) = state.withLock { state -> (UInt64, Bool, Bool) in
            state.nextID += 1
            state.entries[state.nextID] = Entry(due: due, fire: fire)
            let start = !state.started
            state.started = true
            let wake = state.wakesAt.map { due < $0 } ?? true
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
    func cancel(_ id: UInt64) -> Bool {
        state.withLock { $0.entries.removeValue(forKey: id) } != nil
    }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let now = ContinuousClock.now
            let (due, earliest) = state.withLock { state -> ([Entry], ContinuousClock.Instant?) in
                let dueIDs = state.entries.filter { $0.value.due <= now }.map(\.key)
                let due = dueIDs.compactMap { state.entries.removeValue(forKey: $0) }
                state.wakesAt = state.entries.values.map(\.due).min()
                return (due, state.wakesAt)
            }
            for entry in due { entry.fire() }
            if !due.isEmpty { continue }
            var timeout: Int32 = -1
            if let earliest {
                let (seconds, attoseconds) = (earliest - now).components
                let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
                timeout = Int32(clamping: milliseconds)
            }
            var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, timeout) > 0 {
                while read(wakeRead, &buffer, buffer.count) > 0 {}
            }
        }
    }
}
