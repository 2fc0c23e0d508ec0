import Foundation
import MCPClient
import Support
import Synchronization

/// The stdio transport from the server's side (2025-11-25 and 2026-07-28 stdio.mdx): one
/// JSON-RPC message per line on stdin, answers on stdout, nothing else on stdout. Diagnostics
/// belong on stderr, which clients show.
public final class StdioServer: Sendable {
    private let input: Int32
    private let output: Int32
    private let writeLock = Mutex(())
    /// Longest line accepted from the client, so a client cannot make the proxy hold an
    /// endless line in memory.
    private let maxLineBytes: Int

    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, maxLineBytes: Int = 64 << 20) {
        self.input = input
        self.output = output
        self.maxLineBytes = maxLineBytes
    }

    /// The client's messages, in order, until it closes stdin. A line that is not JSON-RPC is
    /// answered with a parse error (id null) and skipped.
    public func messages() -> AsyncStream<JSONRPCMessage> {
        let (stream, continuation) = AsyncStream<JSONRPCMessage>.makeStream(bufferingPolicy: .unbounded)
        let thread = Thread { [self] in
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            reading: while true {
                let count = read(input, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    deliver(line, to: continuation)
                }
                if pending.count > maxLineBytes {
                    write(.error(id: nil, error: JSONRPCError(code: JSONRPCError.parseError, message: "line too long")))
                    break reading
                }
            }
            if !pending.isEmpty { deliver(pending, to: continuation) }
            continuation.finish()
        }
        thread.name = "mcptop-stdin"
        thread.start()
        return stream
    }

    private func deliver(_ line: [UInt8], to continuation: AsyncStream<JSONRPCMessage>.Continuation) {
        let trimmed = line.last == UInt8(ascii: "\r") ? Array(line.dropLast()) : line
        guard !trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return }
        do {
            continuation.yield(try JSONRPCMessage(bytes: trimmed))
        } catch {
            write(
                .error(id: nil, error: JSONRPCError(code: JSONRPCError.parseError, message: "not a JSON-RPC message")))
        }
    }

    /// Writes one message as one line; safe from any thread.
    public func write(_ message: JSONRPCMessage) {
        var bytes = message.json.serializedBytes()
        bytes.append(UInt8(ascii: "\n"))
        writeLock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Foundation.write(output, $0.baseAddress, $0.count) }
                if written < 0, errno == EINTR { continue }
                if written <= 0 { return }  // the client is gone; its stdin ends the session
                offset += written
            }
        }
    }
}
