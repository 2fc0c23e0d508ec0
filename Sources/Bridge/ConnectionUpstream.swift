import MCPClient
import Support

/// The upstream of a bridge: one `MCPConnection` to the configured server, with its login.
/// Connects on first use, renews a forgotten session, refreshes tokens before they expire and
/// once on a 401 (all inside the connection and its authorizer).
public struct ConnectionUpstream: Upstream {
    public let connection: MCPConnection

    public init(connection: MCPConnection) {
        self.connection = connection
    }

    public func serverInfo() async throws(MCPError) -> ServerInfo {
        try await connection.connect()
    }

    public func request(
        _ method: String, params: JSONValue?, wantsProgress: Bool,
        onNotification: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONValue {
        try await connection.forward(
            method, params: params, wantsProgress: wantsProgress, onNotification: onNotification)
    }

    public func close() async {
        await connection.close()
    }
}
