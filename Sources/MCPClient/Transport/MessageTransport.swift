import Support

/// Moves JSON-RPC messages between mcptop and one peer, whatever the wire: Streamable HTTP,
/// HTTP+SSE or stdio. The shape of the SDKs' `Transport` (send, receive, close: TypeScript
/// `shared/transport.ts`, Swift `Base/Transport.swift`), with one difference: a request and
/// its response travel together, because over Streamable HTTP the response comes back on the
/// request's own HTTP exchange, while the other wires match it by id (`MessageRouter`).
///
/// Receiving: a message that belongs to a request under way (its progress, by the progress
/// token in `_meta`) goes to that request's `onMessage`; one that answers no request of ours
/// (a request or notification from the peer) goes to the handler the transport was made with,
/// or, on Streamable HTTP, where it can only arrive on a request's stream, to that request's
/// `onMessage` as well.
///
/// A server-side transport (reading a client's requests over stdio or HTTP and answering
/// them) has the same shape: its handler receives the client's messages, `send` carries the
/// responses and notifications back (`relatedRequest` says which request they belong to), and
/// `request` asks the client something.
public protocol MessageTransport: Sendable {
    /// Which wire this is: reported in `ServerInfo`, and some rules differ by wire.
    var kind: ServerInfo.TransportKind { get }

    /// The session the peer assigned, on wires that have sessions (stateful Streamable HTTP).
    var sessionID: String? { get }

    /// Sends a request and waits for its response (a result or an error), failing with
    /// `.timeout` after `timeout` seconds. Messages about the request that arrive first go to
    /// `onMessage`.
    func request(
        _ message: JSONRPCMessage, options: SendOptions, timeout: Double,
        onMessage: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONRPCMessage

    /// Sends a notification or a response and returns once the peer has taken it, failing with
    /// `.timeout` when that takes longer than `timeout` seconds.
    func send(_ message: JSONRPCMessage, options: SendOptions, timeout: Double) async throws(MCPError)

    /// Ends the session (DELETE for stateful HTTP) and lets go of the wire; requests still
    /// waiting fail.
    func close() async

    /// Calls `handler` once if the wire ends on its own, with why: a stdio server's process
    /// exited, an HTTP+SSE server closed its stream. Streamable HTTP has no wire that lasts
    /// between requests, so it never calls it.
    func whenLost(_ handler: @escaping @Sendable (MCPError) -> Void)
}

extension MessageTransport {
    public func whenLost(_ handler: @escaping @Sendable (MCPError) -> Void) {}
}

/// What a transport may need to know about one outgoing message beyond its JSON. Each field
/// matters to some wires and is ignored by the others.
public struct SendOptions: Sendable {
    /// The revision the message is sent under. Streamable HTTP repeats it (and the method and
    /// name of a request) in headers for intermediaries (streamable-http.mdx, Request Metadata).
    public var protocolVersion: String?
    /// The called tool's `x-mcp-header` annotations: Streamable HTTP mirrors those arguments
    /// in `Mcp-Param-*` headers.
    public var toolHeaders: ParameterHeaders?
    /// This request opens a session (`initialize`): keep the session id its answer assigns.
    public var opensSession: Bool
    /// The peer's request this message belongs to (a server's progress notification or
    /// response), so a server-side Streamable HTTP transport writes it to that request's
    /// stream. Client-side transports ignore it.
    public var relatedRequest: JSONRPCID?

    public init(
        protocolVersion: String? = nil, toolHeaders: ParameterHeaders? = nil, opensSession: Bool = false,
        relatedRequest: JSONRPCID? = nil
    ) {
        self.protocolVersion = protocolVersion
        self.toolHeaders = toolHeaders
        self.opensSession = opensSession
        self.relatedRequest = relatedRequest
    }
}
