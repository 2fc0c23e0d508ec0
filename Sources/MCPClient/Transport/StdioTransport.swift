import Dispatch
import Foundation
import Support
import Synchronization

/// stdio: the server is a child process; messages are newline-delimited JSON on its stdin and
/// stdout (2026-07-28 transports/stdio.mdx). Its stderr is kept (the last 8 KiB) and shown
/// when it fails.
final class StdioTransport: MessageTransport {
    let router: MessageRouter
    private let serverName: String
    // The input handle is written only under `writeLock`; the process is started once, then
    // only queried and terminated.
    private let process: Process
    private let input: FileHandle
    private let writeLock = Mutex(())
    private let stderrTail = Mutex<[UInt8]>([])
    private let exitStatus = Mutex<Int32?>(nil)
    /// Signalled when stderr reaches its end, so the exit message includes all of it.
    private let stderrClosed = DispatchSemaphore(value: 0)
    private let onServerMessage: @Sendable (JSONRPCMessage) -> Void

    private static let stderrLimit = 8 << 10
    /// A server that has not taken a message from its input pipe for this long is stuck; the
    /// write is given up rather than blocking a thread for good.
    static let writeTimeout: Double = 5

    var kind: ServerInfo.TransportKind { .stdio }

    func whenLost(_ handler: @escaping @Sendable (MCPError) -> Void) { router.whenClosed(handler) }

    var sessionID: String? { nil }

    /// Starts the command. `command` is looked up on PATH, as a shell would.
    init(
        serverName: String, command: String, arguments: [String], environment: [String: String],
        workingDirectory: String?, maxLineBytes: Int,
        onServerMessage: @escaping @Sendable (JSONRPCMessage) -> Void
    ) throws(MCPError) {
        self.serverName = serverName
        self.onServerMessage = onServerMessage
        router = MessageRouter(serverName: serverName)
        signal(SIGPIPE, SIG_IGN)  // a dead child must not kill us when we write to it

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--", command] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let workingDirectory {
            process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        }
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        do {
            try process.run()
        } catch {
            throw MCPError(server: serverName, .process("could not start \(command): \(error.localizedDescription)"))
        }
        self.process = process
        input = stdinPipe.fileHandleForWriting
        // Writes wait in poll() with a deadline instead of blocking on a full pipe.
        let inputFD = input.fileDescriptor
        _ = fcntl(inputFD, F_SETFL, fcntl(inputFD, F_GETFL) | O_NONBLOCK)
        startReading(stdoutPipe.fileHandleForReading.fileDescriptor, maxLineBytes: maxLineBytes)
        startReadingStderr(stderrPipe.fileHandleForReading.fileDescriptor)
    }

    private enum WriteOutcome { case written, failed, stuck }

    /// Writes one message as a line. A server that leaves its input unread for
    /// `writeTimeout` seconds fails the write, and the transport with it: half a line may be
    /// in the pipe.
    private func writeLine(_ message: JSONRPCMessage) throws(MCPError) {
        var bytes = message.json.serializedBytes()
        bytes.append(0x0A)
        let outcome = writeLock.withLock { _ in
            bytes.withUnsafeBytes { buffer -> WriteOutcome in
                guard let base = buffer.baseAddress else { return .written }
                let fd = input.fileDescriptor
                let deadline = ContinuousClock.now + BoundedSeconds.duration(StdioTransport.writeTimeout)
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, base + offset, buffer.count - offset)
                    if written >= 0 {
                        offset += written
                        continue
                    }
                    if errno == EINTR { continue }
                    guard errno == EAGAIN || errno == EWOULDBLOCK else { return .failed }
                    let left = deadline - ContinuousClock.now
                    guard left > .zero else { return .stuck }
                    let (seconds, attoseconds) = left.components
                    let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
                    var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, milliseconds)
                }
                return .written
            }
        }
        switch outcome {
        case .written: return
        case .failed: throw exitError()
        case .stuck:
            let error = MCPError(
                server: serverName,
                .process(
                    "the server process has not read its input for \(JSONValue.format(StdioTransport.writeTimeout)) s"))
            router.close(with: error)
            throw error
        }
    }

    func request(
        _ message: JSONRPCMessage, options: SendOptions, timeout: Double,
        onMessage: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONRPCMessage {
        try await withTimeout(timeout, server: serverName) { () throws(MCPError) in
            guard case .request(let id, _, _) = message else {
                try self.writeLine(message)
                return message
            }
            return try await self.router.request(
                id: id, progressToken: message.progressToken, onMessage: onMessage
            ) { () throws(MCPError) in try self.writeLine(message) }
        }
    }

    /// A write has a time limit of its own (`writeTimeout`), whatever `timeout` says.
    func send(_ message: JSONRPCMessage, options: SendOptions, timeout: Double) async throws(MCPError) {
        try writeLine(message)
    }

    /// Closes stdin, then asks the process to stop, then makes it (stdio.mdx, Shutdown), in at
    /// most a second all told. The waits go on when the caller is cancelled (a stopping
    /// monitor, a Ctrl-C): the server still gets its chance to exit cleanly.
    func close() async {
        writeLock.withLock { _ in try? input.close() }
        if await !exited(within: 0.5) {
            process.terminate()
            if await !exited(within: 0.5) { kill(process.processIdentifier, SIGKILL) }
        }
        router.close(with: MCPError(server: serverName, .process("the server process was closed")))
    }

    /// Whether the process ends within `seconds`, looking every 20 ms.
    private func exited(within seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + BoundedSeconds.duration(seconds)
        while process.isRunning {
            if ContinuousClock.now >= deadline { return false }
            // Not Task.sleep, which a cancelled task skips at once.
            await withCheckedContinuation { continuation in
                _ = Deadlines.shared.schedule(after: 0.02) { continuation.resume() }
            }
        }
        return true
    }

    var stderrText: String {
        String(decoding: stderrTail.withLock { $0 }, as: UTF8.self)
    }

    private func exitError() -> MCPError {
        var detail = "the server process"
        if let status = exitStatus.withLock({ $0 }) {
            detail += " exited with status \(status)"
        } else {
            detail += " closed its output"
        }
        let tail = stderrText.split(whereSeparator: \.isNewline).suffix(12).joined(separator: "\n  ")
        if !tail.isEmpty { detail += "; its stderr ends with:\n  \(tail)" }
        return MCPError(server: serverName, .process(detail))
    }

    private func startReading(_ fd: Int32, maxLineBytes: Int) {
        let thread = Thread { [self] in
            // Named from inside: Foundation on Linux passes on only such a name (15 bytes at
            // most) to `ps -L`, `top -H` and debuggers.
            Thread.current.name = "mcptop-stdout"
            var line: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            var overflow = false
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                for byte in buffer[0..<count] {
                    if byte == 0x0A {
                        if !overflow { handleLine(line) }
                        overflow = false
                        line.removeAll(keepingCapacity: true)
                    } else if line.count < maxLineBytes {
                        line.append(byte)
                    } else {
                        overflow = true
                    }
                }
            }
            // Not waitUntilExit(): on Linux it spins this thread's empty run loop, a whole core
            // for as long as a server that closed its output keeps running.
            while process.isRunning { usleep(20_000) }
            exitStatus.withLock { $0 = process.terminationStatus }
            _ = stderrClosed.wait(timeout: .now() + 1)
            router.close(with: exitError())
        }
        thread.start()
    }

    private func handleLine(_ line: [UInt8]) {
        let trimmed = line.last == 0x0D ? Array(line.dropLast()) : line
        guard !trimmed.isEmpty else { return }
        // A server that prints logs on stdout breaks the protocol; such lines are skipped so
        // that the real messages still get through.
        guard let message = try? JSONRPCMessage(bytes: trimmed) else { return }
        if !router.deliver(message) { onServerMessage(message) }
    }

    private func startReadingStderr(_ fd: Int32) {
        let thread = Thread { [self] in
            Thread.current.name = "mcptop-stderr"
            var buffer = [UInt8](repeating: 0, count: 8 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 {
                    stderrClosed.signal()
                    break
                }
                stderrTail.withLock { tail in
                    tail.append(contentsOf: buffer[0..<count])
                    if tail.count > StdioTransport.stderrLimit {
                        tail.removeFirst(tail.count - StdioTransport.stderrLimit)
                    }
                }
            }
        }
        thread.start()
    }
}
