import Support

/// Ready-to-paste client configuration for `mcptop serve` (URL + header), or for `mcptop proxy`
/// where the client starts local commands: `serve --print-config` prints it, and the other
/// clients' token board offers it as the fix.
public enum ClientSnippet {
    /// Where `mcptop serve` listens unless told otherwise, and so where the snippets point.
    public static let defaultListen = "127.0.0.1:8737"

    public static let clients = ["claude-desktop", "claude-code", "gemini", "codex", "cursor", "vscode"]

    public static func text(for client: String, servers: [String], base: String, token: String) -> String {
        func url(_ name: String) -> String { "\(base)/\(name)/mcp" }
        switch client {
        case "claude-code":
            return servers.map {
                "claude mcp add --transport http \($0) \(url($0)) --header \"Authorization: Bearer \(token)\""
            }.joined(separator: "\n")
        case "codex":
            return servers.map {
                """
                [mcp_servers.\($0)]
                url = "\(url($0))"
                http_headers = { Authorization = "Bearer \(token)" }
                """
            }.joined(separator: "\n\n")
        case "vscode":
            var entries: JSONValue = [:]
            for name in servers {
                entries[name] = [
                    "type": "http", "url": .string(url(name)), "headers": ["Authorization": .string("Bearer \(token)")],
                ]
            }
            return (["servers": entries] as JSONValue).prettyPrinted()
        case "gemini":
            var entries: JSONValue = [:]
            for name in servers {
                entries[name] = [
                    "httpUrl": .string(url(name)), "headers": ["Authorization": .string("Bearer \(token)")],
                ]
            }
            return (["mcpServers": entries] as JSONValue).prettyPrinted()
        case "claude-desktop":
            // Claude Desktop's config file starts local commands: the stdio proxy.
            var entries: JSONValue = [:]
            for name in servers { entries[name] = ["command": "mcptop", "args": ["proxy", .string(name)]] }
            return (["mcpServers": entries] as JSONValue).prettyPrinted()
        default:  // cursor takes the mcpServers shape with url + headers
            var entries: JSONValue = [:]
            for name in servers {
                entries[name] = ["url": .string(url(name)), "headers": ["Authorization": .string("Bearer \(token)")]]
            }
            return (["mcpServers": entries] as JSONValue).prettyPrinted()
        }
    }
}
