import ArgumentParser
import Foundation
import HTTP
import MCPClient
import Monitor
import OAuth

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start demo MCP servers on loopback and open the dashboard on them.",
        discussion: """
            Five servers show what mcptop handles: OAuth with 30-second tokens and rotating refresh \
            tokens; a server that forgets its sessions; one without auth; one whose refreshes start \
            failing after a minute so it needs a login (press a); and a legacy HTTP+SSE one. Logins \
            happen by themselves (the demo plays the browser). State goes to a temporary folder \
            that is removed on exit. The servers run in mcptop-demo-server, found beside mcptop \
            (or at $MCPTOP_DEMO_SERVER), and stop when mcptop does.
            """)

    @Option(help: ArgumentHelp("Theme name.", valueName: "name"))
    var theme: String?

    func run() async throws {
        let server = try DemoFleetProcess.locate()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-demo-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = TokenStore(directory: folder.appendingPathComponent("state").path)

        let fleet = try DemoFleetProcess.start(
            executable: server, logPath: folder.appendingPathComponent("demo-server.log").path)
        defer { fleet.stop() }
        for member in fleet.members where member.oauth {
            try await Self.login(server: member.url, name: member.name, store: store)
        }
        var options = MonitorOptions()
        options.healthInterval = 10
        options.browser = { url in Task { await Self.follow(url) } }
        let monitor = Monitor(specs: fleet.members.map(Self.spec), store: store, options: options)
        try await Themes.runDashboard(monitor: monitor, requested: theme, configFile: "(the demo's own servers)")
    }

    static func spec(_ member: DemoFleetProcess.Member) -> ServerSpec {
        let transport: ServerEndpoint.Transport =
            member.legacySSE ? .legacySSE(url: member.url) : .streamableHTTP(url: member.url)
        return ServerSpec(
            endpoint: ServerEndpoint(
                name: member.name, transport: transport, protocolVersion: member.protocolVersion, connectTimeout: 5,
                requestTimeout: 30),
            usesOAuth: member.oauth)
    }

    /// Logs in without a person: the demo servers approve at once, so following the redirect
    /// is all a browser would do.
    static func login(server url: String, name: String, store: TokenStore) async throws {
        var options = LoginFlow.Options()
        options.openBrowser = false
        options.timeout = .seconds(20)
        options.showURL = { url, _ in Task { await follow(url) } }
        _ = try await LoginFlow(serverName: name, serverURL: url, settings: OAuthSettings(), store: store)
            .run(options: options)
    }

    static func follow(_ url: String) async {
        var next = url
        for _ in 0..<5 {
            guard let response = try? await HTTPClient.shared.send(HTTPRequest(url: next)),
                (300..<400).contains(response.status), let location = response.headers["Location"]
            else { return }
            next = location
        }
    }
}
