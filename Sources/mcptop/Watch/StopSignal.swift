import Dispatch
import Foundation
import Support
import Synchronization

/// Waits for SIGINT, SIGTERM or `fire()`, whichever comes first. A signal after that (a
/// second Ctrl-C while stopping) exits at once, with 130 for SIGINT and 143 for SIGTERM.
/// Unchecked Sendable: `sources` is set once in init and only kept alive; all mutable state is
/// behind the mutex.
final class StopSignal: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let state = Mutex<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
    private let done = OnceFlag()

    init() {
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            sources.append(source)
        }
        self.sources = sources
        for (source, number) in zip(sources, [SIGINT, SIGTERM]) {
            source.setEventHandler { [weak self] in self?.received(number) }
            source.resume()
        }
    }

    private func received(_ number: Int32) {
        if state.withLock({ $0.fired }) {
            Console.raw("mcptop: stopped at once on a second signal\n", to: STDERR_FILENO)
            exit(number == SIGTERM ? ExitStatus.terminated : ExitStatus.interrupted)
        }
        fire()
    }

    /// Stopping has begun: should it not end within `seconds`, the process exits with status 2
    /// (nothing can be said about the servers then).
    func exitUnlessStopped(within seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [done] in
            guard !done.value else { return }
            Console.raw(
                "mcptop: watch did not stop within \(NumberText.fixed(seconds, digits: 0)) s; exiting\n",
                to: STDERR_FILENO)
            exit(ExitStatus.connection)
        }
    }

    /// Stopping has ended.
    func stopped() { done.set() }

    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiter = continuation
                return false
            }
            if fired { continuation.resume() }
        }
    }
}
