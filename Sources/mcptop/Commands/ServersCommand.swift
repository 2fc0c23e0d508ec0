import ArgumentParser
import Config
import Dashboard
import MCPClient
import Support

struct ServersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servers", abstract: "List the configured servers, their transport and URL or command.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let configuration = try global.loadConfiguration()
        if json {
            let entries: [JSONValue] = configuration.servers.map { server in
                var entry: JSONValue = [
                    "name": .string(server.name),
                    "transport": .string(server.endpoint.transportName),
                    "target": .string(server.displayTarget),
                ]
                if let version = server.endpoint.protocolVersion { entry["protocolVersion"] = .string(version) }
                if let problem = server.problem { entry["problem"] = .string(problem) }
                return entry
            }
            Console.out(
                JSONValue.object(["config": .string(configuration.file), "servers": .array(entries)]).prettyPrinted())
            return
        }
        guard !configuration.servers.isEmpty else {
            Console.out("No servers configured in \(configuration.file).")
            Console.out("Add one, for example:")
            Console.out(#"  {"mcpServers": {"example": {"url": "https://example.com/mcp"}}}"#)
            return
        }
        var rows = [["NAME", "TRANSPORT", "TARGET"]]
        for server in configuration.servers {
            var target = server.displayTarget
            if let version = server.endpoint.protocolVersion { target += "  (pinned \(version))" }
            if let problem = server.problem { target += "  ! \(problem)" }
            rows.append([server.name, server.endpoint.transportName, target])
        }
        for row in Table.render(rows).split(separator: "\n") { Console.line(String(row)) }
    }
}

/// Left-aligned columns separated by two spaces, each cell as the terminal shows it
/// (`TerminalText.sanitized`) and padded by display width, so wide, emoji and escaped names
/// keep the columns straight.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        let cells = rows.map { $0.map { TerminalText.sanitized($0, layout: .line) } }
        let columns = cells.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in cells {
            for (index, cell) in row.enumerated() where index < columns - 1 {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        var output = ""
        for row in cells {
            for (index, cell) in row.enumerated() {
                output += cell
                if index < columns - 1 {
                    output += String(repeating: " ", count: widths[index] - DisplayWidth.of(cell) + 2)
                }
            }
            output += "\n"
        }
        return output
    }
}
