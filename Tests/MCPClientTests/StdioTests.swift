import Foundation
import MCPClient
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
