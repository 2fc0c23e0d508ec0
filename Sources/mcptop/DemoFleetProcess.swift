import Foundation
import Support
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The demo's servers, run by `mcptop-demo-server --demo-fleet` as a child process, so that
/// mcptop itself does not carry a server (issue 13: ship the product, not the lab).
///
/// The child holds the read end of a pipe as its stdin and exits when it closes: it cannot
/// outlive mcptop, however mcptop ends. It runs in its own process group, so a Ctrl-C typed
/// before the dashboard starts reaches mcptop alone, which then stops it.
final class DemoFleetProcess: Sendable {
    static let executableName = "mcptop-demo-server"
    /// How long the servers may take to print their addresses.
    static let startDeadline: Duration = .seconds(15)

    /// One server, as the child describes it in a JSON line.
    struct Member: Sendable, Equatable {
        var name: String
        var url: String
        var legacySSE: Bool
        var oauth: Bool
        var protocolVersion: String?

        /// `{"name": …, "url": …, "transport": "streamable-http" | "legacy-sse", "oauth": …}`,
        /// with an optional `"protocolVersion"`.
        static func parse(_ line: String) -> Member? {
            guard let object = try? JSONValue.parse(line), let name = object["name"]?.stringValue,
                let url = object["url"]?.stringValue, let transport = object["transport"]?.stringValue,
                transport == "streamable-http" || transport == "legacy-sse",
                let oauth = object["oauth"]?.boolValue
            else { return nil }
            return Member(
                name: name, url: url, legacySSE: transport == "legacy-sse", oauth: oauth,
                protocolVersion: object["protocolVersion"]?.stringValue)
        }
    }

    /// Where `mcptop demo` looks for the server executable, in order: `$MCPTOP_DEMO_SERVER`
    /// alone when set; else beside the running mcptop with symlinks resolved (`selfPath`, from
    /// /proc/self/exe), then beside the path it was started by (`argv0`), for a symlinked
    /// mcptop whose target's folder has no server.
    static func candidates(selfPath: String?, argv0: String, environment: [String: String]) -> [String] {
        if let explicit = environment["MCPTOP_DEMO_SERVER"], !explicit.isEmpty { return [explicit] }
        var folders: [String] = []
        if let selfPath { folders.append(folder(of: selfPath)) }
        if argv0.contains("/") {
            let absolute = argv0.hasPrefix("/") ? argv0 : FileManager.default.currentDirectoryPath + "/" + argv0
            folders.append(folder(of: absolute))
        }
        var seen = Set<String>()
        return folders.filter { seen.insert($0).inserted }.map { $0 + "/" + executableName }
    }

    private static func folder(of path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        return url.path
    }

    /// The first candidate that is an executable file, or a failure saying where it looked and
    /// how to get the server.
    static func locate(
        selfPath: String? = resolvedSelfPath(), argv0: String = CommandLine.arguments[0],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CommandFailure) -> String {
        let paths = candidates(selfPath: selfPath, argv0: argv0, environment: environment)
        for path in paths {
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(path, X_OK) == 0 { return path }
        }
        throw CommandFailure(
            message: """
                'mcptop demo' runs its servers with \(executableName), which is not installed beside mcptop \
                (looked for \(paths.joined(separator: " and "))). From a checkout, 'make build' builds both into \
                .build/shipped and 'make install' installs both; or set MCPTOP_DEMO_SERVER to its path.
                """,
            status: ExitStatus.usage)
    }

    /// This executable's path with symlinks resolved.
    static func resolvedSelfPath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    let pid: pid_t
    let members: [Member]
    /// Our ends of the child's stdin and stdout; -1 once closed by `stop()`.
    private let pipes: Mutex<(stdin: Int32, stdout: Int32)>

    private init(pid: pid_t, members: [Member], stdin: Int32, stdout: Int32) {
        self.pid = pid
        self.members = members
        self.pipes = Mutex((stdin, stdout))
    }

    /// Starts `executable --demo-fleet` and waits for its servers' lines and `ready`. The
    /// child's stderr goes to `logPath`, quoted in the error should it fail to start.
    static func start(executable: String, logPath: String, deadline: Duration = startDeadline)
        throws(CommandFailure) -> DemoFleetProcess
    {
        func failure(_ what: String) -> CommandFailure {
            CommandFailure(message: "\(executable): \(what)", status: ExitStatus.usage)
        }
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        // Close-on-exec (Glibc does not export pipe2): nothing else mcptop runs keeps them.
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else {
            throw failure("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        // The child's ends: once it has them, ours must close, or its exit would not end our read.
        defer {
            if log >= 0 { close(log) }
            if toChild[0] >= 0 { close(toChild[0]) }
            if fromChild[1] >= 0 { close(fromChild[1]) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies; the originals close at exec.
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        if log >= 0 { posix_spawn_file_actions_adddup2(&actions, log, 2) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (terminal signals reach mcptop only), and the default action for
        // the signals mcptop ignores or handles itself.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))

        let arguments = [executable, "--demo-fleet"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        close(toChild[0])
        close(fromChild[1])
        toChild[0] = -1
        fromChild[1] = -1
        guard spawned == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw failure("cannot start it: \(String(cString: strerror(spawned)))")
        }
        func abandon() { end(pid: pid, stdin: toChild[1], stdout: fromChild[0]) }

        let (lines, ended) = readLines(fd: fromChild[0], until: "ready", deadline: deadline)
        guard lines.last == "ready" else {
            abandon()
            let said = (try? String(contentsOfFile: logPath, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let reason = ended ? "exited before its servers were ready" : "no servers within \(deadline)"
            throw failure(reason + ((said?.isEmpty ?? true) ? "" : ": \(said ?? "")"))
        }
        var members: [Member] = []
        for line in lines.dropLast() {
            guard let member = Member.parse(line) else {
                abandon()
                throw failure("printed a line that does not describe a server: \(line)")
            }
            members.append(member)
        }
        return DemoFleetProcess(pid: pid, members: members, stdin: toChild[1], stdout: fromChild[0])
    }

    /// Lines read from `fd` up to and including `last`, and whether the stream ended first. Stops
    /// at the deadline.
    private static func readLines(fd: Int32, until last: String, deadline: Duration) -> ([String], Bool) {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var pending: [UInt8] = []
        var lines: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while clock.now < end {
            let left = clock.now.duration(to: end)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + 1)
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return (lines, true) }
            pending += buffer[..<count]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                lines.append(line)
                if line == last { return (lines, false) }
            }
        }
        return (lines, false)
    }

    /// Closes the child's stdin (it exits on its own), sends SIGTERM, and reaps it; SIGKILL if
    /// it has not gone within two seconds. Safe to call more than once.
    func stop() {
        let open = pipes.withLock { pipes -> (Int32, Int32)? in
            guard pipes.stdin >= 0 else { return nil }
            defer { pipes = (-1, -1) }
            return pipes
        }
        guard let (stdin, stdout) = open else { return }
        Self.end(pid: pid, stdin: stdin, stdout: stdout)
    }

    private static func end(pid: pid_t, stdin: Int32, stdout: Int32) {
        close(stdin)
        kill(pid, SIGTERM)
        defer { close(stdout) }
        var status: Int32 = 0
        for _ in 0..<200 {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }
}
