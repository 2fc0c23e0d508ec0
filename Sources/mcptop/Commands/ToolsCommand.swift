import ArgumentParser
import Dashboard
import MCPClient
import Support

struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools", abstract: "Connect to a server and list its tools and the negotiated protocol revision.",
        discussion: """
            Ctrl-C stops it and exits 130 (SIGTERM: 143), within a second even when the server does not answer.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The server's name in the config.")
    var server: String

    @Option(
        name: .customLong("protocol"),
        help: ArgumentHelp("Use this protocol revision instead of negotiating.", valueName: "version"))
    var protocolVersion: String?

    @Flag(help: "Print JSON.")
    var json = false

    private struct Listing: Sendable {
        var info: ServerInfo
        var tools: [Tool]
        var rejected: [(String, String)]
    }

    func run() async throws {
        let connection = try global.connection(named: server, protocolVersion: protocolVersion)
        let work = Task { () async throws -> Listing in
            let info = try await connection.connect()
            let tools = try await connection.listTools()
            return Listing(
                info: info, tools: tools, rejected: await connection.rejectedTools.map { ($0.name, $0.reason) })
        }
        let interruption = Interruption { work.cancel() }
        let outcome = await work.result
        await connection.close()  // still under the interruption's deadline
        interruption.finish()
        if let status = interruption.exitStatus {
            throw CommandFailure(message: "\(server): interrupted", status: status)
        }
        let listing = try outcome.get()
        let (info, tools, rejected) = (listing.info, listing.tools, listing.rejected)
        for (name, reason) in rejected {
            Console.warn("\(server): tool \(name) ignored: \(reason)")
        }
        if json {
            var output: JSONValue = [
                "server": .string(server),
                "protocolVersion": .string(info.protocolVersion),
                "transport": .string(info.transport.rawValue),
            ]
            if let name = info.name {
                output["serverInfo"] = ["name": .string(name), "version": .string(info.version ?? "")]
            }
            output["tools"] = .array(tools.map(\.raw))
            Console.out(output.prettyPrinted())
            return
        }
        var heading = "\(server): \(info.transport.rawValue), protocol \(info.protocolVersion)"
        if let name = info.name { heading += ", server \(name)" + (info.version.map { " \($0)" } ?? "") }
        Console.line(heading)
        Console.line(NumberText.counted(tools.count, "tool"))
        for row in Self.rows(tools.map { ($0.name, $0.description ?? $0.title ?? "") }) { Console.line(row) }
    }

    /// One row per tool: its name, padded to the widest (at most 32 columns), and the first
    /// line of its description. Names are measured as shown (escapes included) by display
    /// width, never cut: an emoji or a combining sequence stays whole, wide characters keep the
    /// column straight.
    static func rows(_ tools: [(name: String, description: String)]) -> [String] {
        let names = tools.map { TerminalText.sanitized($0.name) }
        let width = min(names.map(DisplayWidth.of).max() ?? 0, 32)
        return zip(tools, names).map { tool, name in
            let description = tool.description.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            let padding = String(repeating: " ", count: max(0, width - DisplayWidth.of(name)))
            return "  " + name + padding + "  " + description
        }
    }
}
