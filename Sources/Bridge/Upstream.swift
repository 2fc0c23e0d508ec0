import MCPClient
import Support

/// The remote server as a bridge needs it: who it is, and a way to send any request. The
/// remote revision, its session, the login and its refreshes are the upstream's business.
public protocol Upstream: Sendable {
    /// Connects if needed (within the connection's own deadlines) and says who the server is.
    func serverInfo() async throws(MCPError) -> ServerInfo

    /// Sends a request in the remote's revision and returns its result. `onNotification`
    /// receives what the server sends while the request is open (log messages, and progress
    /// when `wantsProgress`: the upstream then asks the remote for it with a token of its own).
    /// Cancelling the calling task cancels the request on the remote.
    func request(
        _ method: String, params: JSONValue?, wantsProgress: Bool,
        onNotification: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONValue

    /// Closes the remote session.
    func close() async
}
