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
    /// The server's requests to the client (sampling, elicitation, roots on the stateful
    /// revisions) go to `onRequest`; a 2026-07-28 `input_required` result is returned as it is.
    /// `capabilities` are the bridge client's (2026-07-28 `_meta`). Cancelling the calling task
    /// cancels the request on the remote.
    func request(
        _ method: String, params: JSONValue?, wantsProgress: Bool, capabilities: JSONValue?,
        onNotification: @escaping @Sendable (JSONRPCMessage) -> Void, onRequest: @escaping ServerRequestHandler
    ) async throws(MCPError) -> JSONValue

    /// What the bridge's clients can do, declared in the remote's handshake (stateful revisions)
    /// so it may ask them; called before the first `serverInfo()`.
    func declare(capabilities: JSONValue) async

    /// A client's notification for the remote (roots changed), where its revision has a channel.
    func notify(_ method: String, params: JSONValue?) async

    /// The remote's notifications outside requests, until the stream carrying them ends
    /// (true) or the task is cancelled; false at once where they need no stream of their own
    /// (they reach the observer) or the remote offers none. `filter` is a 2026-07-28
    /// `subscriptions/listen` filter.
    func listen(filter: JSONValue, onNotification: @escaping @Sendable (JSONRPCMessage) -> Void)
        async throws(MCPError) -> Bool

    /// Where notifications that belong to no request go.
    func observeNotifications(_ observer: @escaping @Sendable (JSONRPCMessage) -> Void) async

    /// Closes the remote session.
    func close() async

    /// Whether a request may hold its thread for a while: a stdio server that leaves its input
    /// unread makes a write wait in `poll` (up to 5 s). A broker runs such a server's requests
    /// on the global pool, never on the event loop every client shares.
    var mayHoldItsThread: Bool { get }
}

extension Upstream {
    public var mayHoldItsThread: Bool { false }
}
