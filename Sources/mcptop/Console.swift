import Foundation
import MCPClient
import Support
import Synchronization

/// Everything mcptop's commands write for a person or a pipe. Text from outside (server names,
/// descriptions, results, error bodies, URLs) goes through `TerminalText`, so nothing a server
/// sends can act on the terminal; one-line records escape newlines too, so server text cannot
/// forge a line of its own.
enum Console {
    /// Results on stdout; newlines and tabs in `text` stay.
    static func out(_ text: String) {
        write(TerminalText.sanitized(text, layout: .lines), to: .standardOutput)
    }

    /// One record on stdout (an event, a row of a listing): a newline in `text` is escaped.
    static func line(_ text: String) {
        write(TerminalText.sanitized(text, layout: .line), to: .standardOutput)
    }

    /// A warning or an error on stderr, after "mcptop: ".
    static func warn(_ text: String) {
        write("mcptop: " + TerminalText.sanitized(text, layout: .lines), to: .standardError)
    }

    /// A message for the person at the terminal (not data): stderr.
    static func note(_ text: String) {
        write(TerminalText.sanitized(text, layout: .lines), to: .standardError)
    }

    /// A QR code on stdout when it is a terminal (nothing otherwise): half blocks in black on
    /// white of mcptop's own choosing, so the code reads the same on dark and light themes.
    /// The modules are the only thing drawn, whatever the encoded text holds.
    static func qr(_ code: QRCode) {
        guard isatty(STDOUT_FILENO) == 1 else { return }
        let lines = code.halfBlockLines(quietZone: 2, darkIsInk: true)
        write(lines.map { "  \u{1B}[30;47m\($0)\u{1B}[0m" }.joined(separator: "\n"), to: .standardOutput)
    }

    static func progress(_ progress: MCPClient.Progress) {
        var line = "progress \(JSONValue.format(progress.progress))"
        if let total = progress.total { line += "/\(JSONValue.format(total))" }
        if let message = progress.message { line += " \(message)" }
        write(TerminalText.sanitized(line, layout: .line), to: .standardError)
    }

    /// Written at once, unbuffered: a program reading through a pipe sees each line when it
    /// happens, and stdout and stderr keep their order on one terminal.
    private static func write(_ text: String, to handle: FileHandle) {
        raw(text + "\n", to: handle.fileDescriptor)
    }

    /// Writes all of `text` to `descriptor`. A reader that went away (`mcptop status | head -1`)
    /// ends the process the way it ends `cat` or `git log`: quietly, by SIGPIPE, which is
    /// otherwise ignored here (a libcurl or NIO connection must not kill the process);
    /// FileHandle's write would crash with a backtrace instead. Lost stderr is let go.
    static func raw(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                if written < 0, errno == EPIPE, descriptor == STDOUT_FILENO {
                    signal(SIGPIPE, SIG_DFL)
                    raise(SIGPIPE)
                }
                return
            }
        }
    }
}

/// A flag set once from any thread.
final class OnceFlag: Sendable {
    private let storage = Mutex(false)
    func set() { storage.withLock { $0 = true } }
    var value: Bool { storage.withLock { $0 } }
}
