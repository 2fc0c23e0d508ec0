import Synchronization

/// One waiter and any number of signals, from any thread. A signal with nobody waiting is
/// kept for the next wait, so a wake-up that races the wait is not lost; a spare one only
/// makes the supervisor look at its deadlines once more.
final class Wakeup: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, Never>)
        case signalled
    }
    private let state = Mutex(State.idle)

    func wait() async {
        await withCheckedContinuation { continuation in
            let signalled = state.withLock { state -> Bool in
                if case .signalled = state {
                    state = .idle
                    return true
                }
                state = .waiting(continuation)
                return false
            }
            if signalled { continuation.resume() }
        }
    }

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if case .waiting(let continuation) = state {
                state = .idle
                return continuation
            }
            state = .signalled
            return nil
        }
        waiter?.resume()
    }
}
