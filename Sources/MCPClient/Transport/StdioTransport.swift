import Dispatch
import Foundation
import Synchronization

/// stdio: the server is a child process; messages are newline-delimited JSON on its stdin and
/// stdout (2026-07-28 transports/stdio.mdx). Its stderr is kept (the last 8 KiB) and shown
/// when it fails.
final class StdioTransport: Sendable {
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
        startReading(stdoutPipe.fileHandleForReading.fileDescriptor, maxLineBytes: maxLineBytes)
        startReadingStderr(stderrPipe.fileHandleForReading.fileDescriptor)
    }

    /// Writes one message as a line.
    func send(_ message: JSONRPCMessage) throws(MCPError) {
        var bytes = message.json.serializedBytes()
        bytes.append(0x0A)
        let failed = writeLock.withLock { _ in
            bytes.withUnsafeBytes { buffer -> Bool in
                var offset = 0
                while offset < buffer.count {
                    let written = write(input.fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return true
                    }
                    offset += written
                }
                return false
            }
        }
        if failed { throw exitError() }
    }

    func request(
        _ message: JSONRPCMessage, progressToken: JSONValue?,
        onMessage: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONRPCMessage {
        guard case .request(let id, _, _) = message else {
            try send(message)
            return message
        }
        return try await router.request(id: id, progressToken: progressToken, onMessage: onMessage) {
            () throws(MCPError) in try self.send(message)
        }
    }

    /// Closes stdin, then asks the process to stop, then makes it (stdio.mdx, Shutdown).
    func close() async {
        writeLock.withLock { _ in try? input.close() }
        for _ in 0..<20 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.terminate() }
        for _ in 0..<40 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        router.close(with: MCPError(server: serverName, .process("the server process was closed")))
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
            process.waitUntilExit()
            exitStatus.withLock { $0 = process.terminationStatus }
            _ = stderrClosed.wait(timeout: .now() + 1)
            router.close(with: exitError())
        }
        thread.name = "mcptop-stdio-out"
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
        thread.name = "mcptop-stdio-err"
        thread.start()
    }
}
