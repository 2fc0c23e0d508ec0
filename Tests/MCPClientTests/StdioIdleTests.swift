import Foundation
import MCPClient
import Testing

/// A stdio server that closes its output and keeps running must not cost a core: the reader
/// thread used to wait for its exit with `Process.waitUntilExit()`, which on Linux spins an
/// empty run loop.
@Suite struct StdioIdleTests {
    /// CPU ticks (user + system) of this process's threads with the given name, by thread id.
    func ticks(ofThreadsNamed name: String) -> [String: Int] {
        var result: [String: Int] = [:]
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for tid in tasks {
            let comm = (try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8)) ?? ""
            guard comm.trimmed() == name,
                let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after "(comm)": state is field 3, utime 14 and stime 15 (proc(5)).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { continue }
            result[tid] = user + system
        }
        return result
    }

    @Test func aServerThatClosedItsOutputCostsNoCPUWhileItRuns() async throws {
        let connection = MCPConnection(
            endpoint: ServerEndpoint(
                name: "quiet",
                transport: .stdio(
                    command: "sh", arguments: ["-c", "exec cat > /dev/null"], environment: [:],
                    workingDirectory: nil),
                requestTimeout: 30))
        let connecting = Task { try await connection.connect() }
        defer { connecting.cancel() }
        // The reader thread exists once the process started.
        let deadline = ContinuousClock.now + .seconds(5)
        while ticks(ofThreadsNamed: "mcptop-stdout").isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let before = ticks(ofThreadsNamed: "mcptop-stdout")
        #expect(!before.isEmpty, "no stdio reader thread found")
        // Half a second of a spinning thread is ~50 ticks (at 100 Hz); a waiting one, 0 or 1.
        try await Task.sleep(for: .milliseconds(500))
        let after = ticks(ofThreadsNamed: "mcptop-stdout")
        let busiest = before.keys.map { (after[$0] ?? before[$0]!) - before[$0]! }.max() ?? 0
        #expect(busiest < 15, "a reader thread used \(busiest) ticks in 0.5 s")
        connecting.cancel()
        _ = await result(of: connecting, within: 5)
        await connection.close()
    }
}
