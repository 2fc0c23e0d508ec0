import ArgumentParser
import Bridge
import Config
import Foundation
import MCPClient
import Monitor
import MonitorOTLP
import Support

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve every configured server at http://127.0.0.1:PORT/NAME/mcp, with mcptop keeping logins fresh.",
        discussion: """
            For MCP clients that take only URLs. Streamable HTTP of both revisions (2025-11-25 with \
            sessions, 2026-07-28 stateless); one connection and one refresher per server, shared \
            by every client. Each request needs the local bearer token (`--print-token`; \
            `--print-config CLIENT` prints a ready-to-paste snippet); the upstream OAuth tokens \
            never leave mcptop. Listens on loopback unless --listen names another address. \
            GET /healthz answers "ok". Ctrl-C or SIGTERM stop it.
            """)

    static let defaultListen = ClientSnippet.defaultListen

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Where to listen (default \(defaultListen)).", valueName: "host:port"))
    var listen: String?

    @Flag(name: .customLong("print-token"), help: "Print the local bearer token and exit.")
    var printToken = false

    @Option(
        name: .customLong("print-config"),
        help: ArgumentHelp(
            "Print the config snippet for a client and exit: \(ClientSnippet.clients.joined(separator: ", ")).",
            valueName: "client"))
    var printConfig: String?

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        if let listen, MetricsAddress(listen) == nil {
            throw ValidationError("--listen: expected HOST:PORT, got \"\(listen)\"")
        }
        if let printConfig, !ClientSnippet.clients.contains(printConfig) {
            throw ValidationError(
                "--print-config: unknown client \"\(printConfig)\" (known: \(ClientSnippet.clients.joined(separator: ", ")))"
            )
        }
        if let duration { try SecondsOption.validate(duration, option: "--duration") }
    }

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let tokenFile = URL(fileURLWithPath: global.locations.stateDirectory).appendingPathComponent("serve-token").path
        let token: String
        do {
            token = try LocalToken.load(path: tokenFile)
        } catch {
            throw CommandFailure(message: error.description, status: ExitStatus.usage)
        }
        let address = MetricsAddress(listen ?? Self.defaultListen) ?? MetricsAddress(Self.defaultListen)!
        let usable = configuration.servers.filter { $0.problem == nil }
        if printToken {
            Console.out(token)
            return
        }
        if let printConfig {
            Console.out(
                ClientSnippet.text(
                    for: printConfig, servers: usable.map(\.name), base: "http://\(address.urlHost):\(address.port)",
                    token: token))
            return
        }
        for server in configuration.servers {
            if let problem = server.problem {
                Console.warn("\(configuration.file): \(server.name): \(problem) (not served)")
            }
        }
        guard !usable.isEmpty else {
            throw CommandFailure(message: "no servers to serve in \(configuration.file)", status: ExitStatus.usage)
        }
        if !Loopback.isHost(address.host) {
            Console.warn(
                "listening on \(address.host), reachable from other machines; the local token is all that guards it")
        }
        let telemetry = Telemetry.start()
        var upstreams: [String: any Upstream] = [:]
        for server in usable {
            let connection = await Telemetry.connection(telemetry, server: server, store: try global.store())
            // Shared by clients that differ: the remote may ask what any can answer, and a
            // client that cannot gets the question declined.
            await connection.declare(capabilities: ProxySession.bridgedCapabilities)
            upstreams[server.name] = ConnectionUpstream(connection: connection)
        }
        let broker = HTTPBroker(
            upstreams: upstreams, token: token,
            activity: Telemetry.activity(telemetry, folder: global.bridgeFolder, via: "serve"),
            tracing: telemetry?.tracing(via: "serve"))
        let port: Int
        do {
            port = try await broker.start(host: address.host, port: address.port)
        } catch {
            throw CommandFailure(
                message: "cannot listen on \(address.host):\(address.port): \(error)", status: ExitStatus.usage)
        }
        for name in usable.map(\.name) {
            Console.note("serving \(name) at http://\(address.urlHost):\(port)/\(name)/mcp")
        }
        Console.note("clients need: Authorization: Bearer <mcptop serve --print-token>")
        let stop = StopSignal()
        if let duration {
            Task {
                try? await Task.sleep(for: BoundedSeconds.duration(duration))
                stop.fire()
            }
        }
        await stop.wait()
        await broker.stop()
        await telemetry?.stop()
    }
}
