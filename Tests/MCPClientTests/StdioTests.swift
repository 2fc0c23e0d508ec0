import Foundation
import MCPClient
import Synchronization
import Testing

@Suite struct StdioTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/stdio_server.py").path

    func endpoint(mode: String = "") -> ServerEndpoint {
        ServerEndpoint(
            name: "local",
            transport: .stdio(
                command: "python3", arguments: [Self.script], environment: ["MODE": mode], workingDirectory: nil),
            requestTimeout: 10)
    }

    @Test func probesThenFallsBackToInitializeAndCallsTools() async throws {
        let connection = MCPConnection(endpoint: endpoint(mode: "noisy"))
        let info = try await connection.connect()
        #expect(info.protocolVersion == "2025-11-25")
        #expect(info.transport == .stdio)
        #expect(info.name == "stdio-fixture")
        #expect(try await connection.listTools().map(\.name) == ["echo"])
        let progress = Collected<Double>()
        let result = try await connection.callTool("echo", arguments: ["text": "over stdio"]) { value in
            Task { await progress.append(value.progress) }
        }
        #expect(result.summaryLines == ["over stdio"])
        try await Task.sleep(for: .milliseconds(50))
        #expect(await progress.values == [1])
        await connection.close()
    }

    @Test func aCrashingServerReportsItsStatusAndStderr() async throws {
        let connection = MCPConnection(endpoint: endpoint(mode: "crash"))
        try await connection.connect()
        do {
            _ = try await connection.callTool("echo", arguments: ["text": "x"])
            Issue.record("expected the call to fail")
        } catch {
            #expect(error.description.contains("exited with status 3"))
            #expect(error.description.contains("fatal: database unreachable"))
        }
        await connection.close()
    }

    /// A server that exits with nothing asked of it is reported once, with its status and
    /// stderr; closing a connection is not reported.
    @Test func aServerExitingOnItsOwnIsReportedAndAClosedOneIsNot() async throws {
        let connection = MCPConnection(endpoint: endpoint(mode: "exit-after-list"))
        let losses = Mutex<[String]>([])
        await connection.whenLost { error in losses.withLock { $0.append(error.description) } }
        try await connection.connect()
        _ = try await connection.listTools()
        let deadline = ContinuousClock.now + .seconds(10)
        while losses.withLock({ $0.isEmpty }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let reported = losses.withLock { $0 }
        #expect(reported.count == 1)
        #expect(reported.first?.contains("exited with status 4") == true)
        #expect(reported.first?.contains("out of memory") == true)
        await connection.close()

        let closed = MCPConnection(endpoint: endpoint())
        await closed.whenLost { error in losses.withLock { $0.append(error.description) } }
        try await closed.connect()
        await closed.close()
        try await Task.sleep(for: .milliseconds(200))
        #expect(losses.withLock { $0.count } == 1)
    }

    @Test func aMissingCommandSaysSo() async throws {
        let connection = MCPConnection(
            endpoint: ServerEndpoint(
                name: "nope",
                transport: .stdio(
                    command: "no-such-command-mcptop", arguments: [], environment: [:], workingDirectory: nil)))
        do {
            try await connection.connect()
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("nope: the server process exited with status 127"))
            #expect(error.description.contains("no-such-command-mcptop"))
        }
    }
}
