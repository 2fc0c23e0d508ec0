import Dispatch
import Foundation
import MCPClient
import Support
import Synchronization

extension ExitStatus {
    /// Stopped by SIGTERM, as shells report it (128 + 15).
    static let terminated: Int32 = 143
}

/// SIGINT (Ctrl-C) and SIGTERM while a command works. The first signal calls `onSignal`,
/// which cancels the work: a call is cancelled on the server, a session ended. Should the
/// work not have ended `grace` seconds later (a server that answers nothing, not even the
/// cancellation), the process exits anyway; a second signal exits at once. Either way the
/// status is 130 for SIGINT and 143 for SIGTERM.
///
/// Unchecked Sendable: `sources` is set once in init and only kept alive and cancelled; the
/// mutable state is behind the mutex.
final class Interruption: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private struct State {
        var signal: Int32?
        var finished = false
    }
    private let state = Mutex(State())
    private let grace: Double

    init(grace: Double = 1, onSignal: @escaping @Sendable () -> Void) {
        self.grace = grace
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            // Ignored as a signal, seen as an event: the handler below decides what happens.
            signal(number, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: number))
        }
        self.sources = sources
        for (source, number) in zip(sources, [SIGINT, SIGTERM]) {
            source.setEventHandler { [weak self] in self?.received(number, onSignal: onSignal) }
            source.resume()
        }
    }

    /// The signal that interrupted the work, if one did.
    var caught: Int32? { state.withLock { $0.signal } }

    /// The exit status for the signal received: 130 for SIGINT, 143 for SIGTERM.
    var exitStatus: Int32? { caught.map(Self.status) }

    private static func status(_ number: Int32) -> Int32 {
        number == SIGTERM ? ExitStatus.terminated : ExitStatus.interrupted
    }

    private func received(_ number: Int32, onSignal: @Sendable () -> Void) {
        let first = state.withLock { state -> Bool in
            guard state.signal == nil else { return false }
            state.signal = number
            return true
        }
        guard first else { Self.exitNow(Self.status(number), "stopped at once on a second signal") }
        onSignal()
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            guard !state.withLock({ $0.finished }) else { return }
            Self.exitNow(
                Self.status(number), "stopped: the server did not let go within \(NumberText.fixed(grace, digits: 0)) s"
            )
        }
    }

    /// The work has ended: signals are no longer ours to handle.
    func finish() {
        state.withLock { $0.finished = true }
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    private static func exitNow(_ status: Int32, _ message: String) -> Never {
        Console.raw("mcptop: \(message)\n", to: STDERR_FILENO)
        exit(status)
    }
}
