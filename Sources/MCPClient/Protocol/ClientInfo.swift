import Support

/// `_meta` keys of the 2026-07-28 revision (schema.ts, RequestMetaObject).
public enum MetaKey {
    public static let protocolVersion = "io.modelcontextprotocol/protocolVersion"
    public static let clientInfo = "io.modelcontextprotocol/clientInfo"
    public static let clientCapabilities = "io.modelcontextprotocol/clientCapabilities"
    public static let serverInfo = "io.modelcontextprotocol/serverInfo"
    public static let subscriptionID = "io.modelcontextprotocol/subscriptionId"
}

/// How mcptop introduces itself to servers.
public struct ClientInfo: Sendable {
    public var name: String
    public var version: String

    public init(name: String = "mcptop", version: String = MCPTopVersion.current) {
        self.name = name
        self.version = version
    }

    public var json: JSONValue { ["name": .string(name), "version": .string(version)] }
}
