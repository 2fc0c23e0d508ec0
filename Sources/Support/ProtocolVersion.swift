/// MCP protocol revisions mcptop speaks, newest first.
public enum ProtocolVersion {
    /// Stateless: per-request `_meta`, `server/discover`, no sessions.
    public static let modern = ["2026-07-28"]
    /// Stateful Streamable HTTP (and stdio): `initialize` + `Mcp-Session-Id`.
    public static let stateful = ["2025-11-25", "2025-06-18", "2025-03-26"]
    /// The deprecated HTTP+SSE transport's revision.
    public static let legacySSE = "2024-11-05"

    public static let latest = modern[0]
    public static let latestStateful = stateful[0]
    public static let all = modern + stateful + [legacySSE]

    public static func isModern(_ version: String) -> Bool { modern.contains(version) }

    /// Revisions from 2025-06-18 on require the `MCP-Protocol-Version` header after
    /// initialization (2025-11-25 transports.mdx, Protocol Version Header).
    public static func sendsVersionHeader(_ version: String) -> Bool {
        version >= "2025-06-18"
    }
}

public enum MCPTopVersion {
    public static let current = "0.1.0"
}
