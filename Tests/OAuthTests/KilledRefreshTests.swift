import DemoServer
import Foundation
import Testing

/// Processes sharing one store, killed with SIGKILL while refreshing: the next process is still
/// logged in. Runs the real `mcptop` binary against DemoServer, whose refresh tokens rotate
/// and whose token endpoint is slowed down so that each kill lands inside a refresh.
@Suite struct KilledRefreshTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: String? {
        for configuration in ["debug", "release"] {
            let path = root.appendingPathComponent(".build/\(configuration)/mcptop").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    func run(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.binary, "build mcptop first (swift build)"))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits for the process to end without holding a thread: `waitUntilExit()` spins the
    /// calling thread's run loop on Linux, which took one of the cooperative pool's threads (two
    /// on a two-core machine) and a core from every test running beside this one for the
    /// seconds this test takes, and made their deadlines fail.
    func exit(of process: Process) async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }

    @Test(.timeLimit(.minutes(2)))
    func aProcessKilledMidRefreshTwentyTimesLeavesTheLoginUsable() async throws {
        var options = DemoServerOptions()
        var oauth = DemoOAuthOptions()
        // Long enough that a call sent just before the refresh is due still arrives in time on a
        // loaded machine (at 0.5 s one arrived expired).
        oauth.accessTokenLifetime = 1
        oauth.refreshDelay = 0.2
        options.oauth = oauth
        let server = DemoServer(options: options)
        _ = try await server.start()
        defer { Task { await server.stop() } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-kill-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.json")
        try Data(#"{"mcpServers": {"demo": {"url": "\#(server.url)"}}}"#.utf8).write(to: config)
        let environment = [
            "MCPTOP_STATE_DIR": folder.appendingPathComponent("state").path,
            "BROWSER": Self.root.appendingPathComponent("integration/interop/browser.sh").path,
        ]
        let login = try run(["--config", config.path, "auth", "demo"], environment: environment)
        await exit(of: login)
        try #require(login.terminationStatus == 0, "login failed")

        for _ in 0..<20 {
            let started = server.stats().refreshesStarted
            let caller = try run(
                [
                    "--config", config.path, "call", "demo", "echo", "--args", #"{"text":"x"}"#, "--repeat", "100",
                    "--interval", "0.05",
                ], environment: environment)
            // Kill it while its refresh request is at the server (which holds it 0.2 s).
            for _ in 0..<300 where server.stats().refreshesStarted == started {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
            kill(caller.processIdentifier, SIGKILL)
            await exit(of: caller)
        }
        #expect(server.stats().refreshesStarted >= 20)

        let survivor = try run(
            [
                "--config", config.path, "call", "demo", "echo", "--args", #"{"text":"alive"}"#, "--repeat", "3",
                "--interval", "0.6",
            ], environment: environment)
        await exit(of: survivor)
        #expect(survivor.terminationStatus == 0)
        #expect(server.stats().invalidGrants == 0)
        #expect(server.stats().expiredTokenRequests == 0)
    }
}
