import ArgumentParser
import DemoServer
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
            that is removed on exit.
            """)

    @Option(help: ArgumentHelp("Theme name.", valueName: "name"))
    var theme: String?

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-demo-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = TokenStore(directory: folder.appendingPathComponent("state").path)

        let demo = try await DemoServers.start()
        defer { Task { await demo.stop() } }
        for server in demo.oauthServers {
            try await DemoServers.login(server: server.url, name: server.name, store: store)
        }
        var options = MonitorOptions()
        options.healthInterval = 10
        options.browser = { url in Task { await DemoServers.follow(url) } }
        let monitor = Monitor(specs: demo.specs, store: store, options: options)
        let chaos = Task { await demo.runScenarios() }
        defer { chaos.cancel() }
        try await Themes.runDashboard(monitor: monitor, requested: theme, configFile: "(the demo's own servers)")
    }
}

/// The demo's servers and the events it stages on them.
final class DemoServers: Sendable {
    struct Entry: Sendable {
        var name: String
        var server: DemoServer
        var spec: ServerSpec
        var url: String { server.url }
    }

    let entries: [Entry]

    var specs: [ServerSpec] { entries.map(\.spec) }
    var oauthServers: [Entry] { entries.filter(\.spec.usesOAuth) }

    private init(entries: [Entry]) {
        self.entries = entries
    }

    static func start() async throws -> DemoServers {
        func make(_ name: String, _ configure: (inout DemoServerOptions) -> Void) -> DemoServer {
            var options = DemoServerOptions()
            options.name = name
            configure(&options)
            return DemoServer(options: options)
        }
        let rotating = make("rotating") { options in
            var oauth = DemoOAuthOptions()
            oauth.accessTokenLifetime = 30
            options.oauth = oauth
        }
        let flaky = make("flaky") { $0.stateless = false }
        let open = make("open") { _ in }
        let expiring = make("expiring-login") { options in
            var oauth = DemoOAuthOptions()
            oauth.accessTokenLifetime = 20
            options.oauth = oauth
        }
        let legacy = make("legacy") { _ in }
        for server in [rotating, flaky, open, expiring, legacy] { _ = try await server.start() }
        func spec(_ name: String, _ transport: ServerEndpoint.Transport, oauth: Bool, version: String? = nil)
            -> ServerSpec
        {
            ServerSpec(
                endpoint: ServerEndpoint(
                    name: name, transport: transport, protocolVersion: version, connectTimeout: 5, requestTimeout: 30),
                usesOAuth: oauth)
        }
        return DemoServers(entries: [
            Entry(
                name: "rotating", server: rotating,
                spec: spec("rotating", .streamableHTTP(url: rotating.url), oauth: true)),
            Entry(
                name: "flaky-sessions", server: flaky,
                spec: spec("flaky-sessions", .streamableHTTP(url: flaky.url), oauth: false, version: "2025-11-25")),
            Entry(name: "open", server: open, spec: spec("open", .streamableHTTP(url: open.url), oauth: false)),
            Entry(
                name: "expiring-login", server: expiring,
                spec: spec("expiring-login", .streamableHTTP(url: expiring.url), oauth: true)),
            Entry(
                name: "legacy-sse", server: legacy,
                spec: spec("legacy-sse", .legacySSE(url: legacy.legacySSEURL), oauth: false)),
        ])
    }

    func stop() async {
        for entry in entries { await entry.server.stop() }
    }

    /// Sessions forgotten every 20 s; the expiring server's refreshes refused from 60 s on,
    /// until someone logs in again.
    func runScenarios() async {
        guard let flaky = entries.first(where: { $0.name == "flaky-sessions" })?.server,
            let expiring = entries.first(where: { $0.name == "expiring-login" })?.server
        else { return }
        var elapsed = 0
        var exchanges = expiring.stats().codeExchanges
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            elapsed += 1
            if elapsed % 20 == 0 { flaky.forgetSessions() }
            if elapsed == 60 { expiring.setOptions { $0.oauth?.refuseRefresh = true } }
            let now = expiring.stats().codeExchanges
            if now > exchanges {
                exchanges = now
                expiring.setOptions { $0.oauth?.refuseRefresh = false }
            }
        }
    }

    /// Logs in without a person: the demo servers approve at once, so following the redirect
    /// is all a browser would do.
    static func login(server url: String, name: String, store: TokenStore) async throws {
        var options = LoginFlow.Options()
        options.openBrowser = false
        options.timeout = .seconds(20)
        options.showURL = { url in Task { await follow(url) } }
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
