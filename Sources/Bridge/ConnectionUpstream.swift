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
        _ method: String, params: JSONValue?, wantsProgress: Bool, capabilities: JSONValue?,
        onNotification: @escaping @Sendable (JSONRPCMessage) -> Void, onRequest: @escaping ServerRequestHandler
    ) async throws(MCPError) -> JSONValue {
        try await connection.forward(
            method, params: params, wantsProgress: wantsProgress, capabilities: capabilities,
            onNotification: onNotification, onRequest: onRequest)
    }

    public func declare(capabilities: JSONValue) async {
        await connection.declare(capabilities: capabilities)
    }

    public func notify(_ method: String, params: JSONValue?) async {
        await connection.forwardNotification(method, params: params)
    }

    public func listen(filter: JSONValue, onNotification: @escaping @Sendable (JSONRPCMessage) -> Void)
        async throws(MCPError) -> Bool
    {
        try await connection.listen(filter: filter, onNotification: onNotification)
    }

    public func observeNotifications(_ observer: @escaping @Sendable (JSONRPCMessage) -> Void) async {
        await connection.observeNotifications(observer)
    }

    public func close() async {
        await connection.close()
    }

    /// A stdio server's requests write to its input pipe, which waits when the pipe is full.
    public var mayHoldItsThread: Bool { connection.endpoint.httpURL == nil }
}
