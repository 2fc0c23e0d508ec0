import ArgumentParser
import Bridge
import Foundation
import MCPClient
import Monitor
import MonitorOTLP
import Support

struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Serve one configured server to an MCP client over stdio, with mcptop keeping its login fresh.",
        discussion: """
            Point any MCP client at `mcptop proxy NAME` as a local (stdio) server. Requests go to \
            the configured server through mcptop's client: tokens are refreshed before they \
            expire (one refresher per login, shared with every other mcptop process), a 401 is \
            refreshed and retried once, a forgotten session is renewed. The client may speak any \
            revision from 2024-11-05 to 2026-07-28, whatever the server speaks. Without a login \
            the client gets an error naming `mcptop auth NAME`; a login made later is picked up \
            without a restart. stdout carries only protocol; messages go to stderr.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The server's name in the config.")
    var server: String

    func run() async throws {
        // Config problems are reported before a single protocol byte is written.
        let (_, configured) = try global.configured(named: server)
        let telemetry = Telemetry.start()
        let connection = await Telemetry.connection(telemetry, server: configured, store: try global.store())
        let stdio = StdioServer()
        let activity = Telemetry.activity(telemetry, folder: global.bridgeFolder, via: "proxy")
        let upstream = ConnectionUpstream(connection: connection)
        let session = ProxySession(
            serverName: server, upstream: upstream, activity: activity,
            tracing: telemetry?.tracing(via: "proxy"),
            notifications: NotificationRelay(upstream: upstream), send: { stdio.write($0) })
        Console.note("mcptop proxy: \(server) (\(displayURL(configured.endpoint.target))) on stdio")
        let serving = Task {
            for await message in stdio.messages() { await session.receive(message) }
            // The client closed stdin to end the session: what it asked is still answered.
            await session.answerPending()
        }
        let interruption = Interruption { serving.cancel() }
        // The client closing stdin ends the session once its requests are answered (at most
        // a minute); Ctrl-C or SIGTERM ends it at once.
        await withTaskCancellationHandler {
            await serving.value
        } onCancel: {
            serving.cancel()
        }
        await session.close()
        await telemetry?.stop()
        interruption.finish()
        if let status = interruption.exitStatus {
            throw CommandFailure(message: "mcptop proxy: \(server): stopped by a signal", status: status)
        }
    }
}
