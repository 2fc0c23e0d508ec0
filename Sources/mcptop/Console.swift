import Foundation
import MCPClient
import Support
import Synchronization

/// Writing to stderr, for warnings and progress that must not mix with results on stdout.
enum Console {
    static func warn(_ text: String) {
        FileHandle.standardError.write(Data("mcptop: \(text)\n".utf8))
    }

    /// A message for the person at the terminal (not data): stderr.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func progress(_ progress: MCPClient.Progress) {
        var line = "progress \(JSONValue.format(progress.progress))"
        if let total = progress.total { line += "/\(JSONValue.format(total))" }
        if let message = progress.message { line += " \(message)" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// A flag set once from any thread.
final class OnceFlag: Sendable {
    private let storage = Mutex(false)
    func set() { storage.withLock { $0 = true } }
    var value: Bool { storage.withLock { $0 } }
}
