/// Behaviour switches for ``DemoServer``. All of them can be changed while the server runs
/// with ``DemoServer/setOptions(_:)``.
public struct DemoServerOptions: Sendable {
    /// How POST /mcp answers a JSON-RPC request.
    public enum ResponseMode: Sendable {
        /// A single `application/json` body.
        case json
        /// A `text/event-stream` body: progress notifications, then the response, then close.
        case sse
    }

    /// Deliberate protocol violations, applied to `tools/call` responses only.
    public enum Misbehaviour: Sendable, Equatable {
        case none
        /// 200 `application/json` with a truncated JSON body.
        case badJSON
        /// 200 `text/event-stream` whose `data:` line is not JSON.
        case brokenSSE
        /// 200 `text/html` body.
        case wrongContentType
        /// 200 `text/event-stream` with one progress notification, then the connection closes
        /// in the middle of the chunked body, without the response (Streamable HTTP only).
        case cutStream
        /// 200 `application/json` streaming this many bytes (a JSON string padded with spaces).
        case hugeBody(bytes: Int)
    }

    public var responseMode: ResponseMode = .sse
    /// Serve 2026-07-28 requests that carry `_meta["io.modelcontextprotocol/protocolVersion"]`.
    public var stateless: Bool = true
    /// Serve `initialize` + `Mcp-Session-Id` (2025-03-26, 2025-06-18, 2025-11-25).
    public var stateful: Bool = true
    /// Serve the 2024-11-05 HTTP+SSE transport: GET /sse + POST /messages?sessionId=.
    public var legacySSE: Bool = true
    /// Page size of `tools/list` (pages are linked with `nextCursor`); 0 or less = one page.
    public var toolsPageSize: Int = 3
    public var misbehaviour: Misbehaviour = .none
    /// When set, every MCP request needs `Authorization: Bearer <token>`, else 401 with
    /// `WWW-Authenticate: Bearer realm="demo"`.
    public var bearerToken: String? = nil
    /// When set, an embedded OAuth 2.1 authorization server protects /mcp, /sse and /messages
    /// instead (``bearerToken`` is then ignored). See ``DemoOAuthOptions``.
    public var oauth: DemoOAuthOptions? = nil
    /// `serverInfo.name`.
    public var name: String = "demo"

    public init() {}
}

/// Counters kept by a ``DemoServer`` (they survive `stop()` / `start()`).
public struct DemoServerStats: Sendable {
    /// MCP JSON-RPC messages received (all transports; not counting requests rejected with 401).
    public var requests: Int = 0
    /// Count per JSON-RPC method.
    public var methods: [String: Int] = [:]
    /// Sessions created: stateful `initialize` on /mcp, and GET /sse streams.
    public var sessionsCreated: Int = 0
    /// DELETE /mcp received with a known session.
    public var deletes: Int = 0
    /// `notifications/cancelled` received, or a response stream closed by the client (or a
    /// legacy GET /sse stream ended) before the slow tool finished. One cancelled call counts once.
    public var cancellations: Int = 0
    /// Headers of the last POST /mcp, names lower-cased.
    public var lastHeaders: [String: String] = [:]

    // OAuth (``DemoServerOptions/oauth``):
    /// Access tokens issued (code exchanges + refreshes).
    public var tokensIssued: Int = 0
    /// Successful refresh grants.
    public var refreshes: Int = 0
    /// Refresh grants received, counted when the request arrives (before any delay or failure).
    public var refreshesStarted: Int = 0
    /// `invalid_grant` answers of any kind (codes, refresh tokens, ``RefreshFault/invalidGrant``).
    public var invalidGrants: Int = 0
    /// MCP requests (/mcp, /sse, /messages) refused because their access token had expired.
    public var expiredTokenRequests: Int = 0
    /// MCP requests refused because their access token was unknown or revoked.
    public var unknownTokenRequests: Int = 0
    /// Successful dynamic client registrations.
    public var registrations: Int = 0
    /// POST /revoke requests naming a token (known or not).
    public var revocations: Int = 0
    /// Successful authorization code exchanges.
    public var codeExchanges: Int = 0
    /// Authorization codes issued by /authorize.
    public var authorizations: Int = 0
    /// Token endpoint requests without `application/json` in `Accept`.
    public var tokenRequestsWithoutJSONAccept: Int = 0
    /// The last authenticated token request's form per `grant_type`, without its secrets
    /// (``secretFormFields``).
    public var tokenRequestForms: [String: [String: String]] = [:]

    /// Form fields never kept in ``tokenRequestForms``.
    static let secretFormFields: Set<String> = [
        "code", "code_verifier", "refresh_token", "client_secret", "device_code",
    ]

    public init() {}
}

extension DemoServerStats {
    /// The counters a soak or fault test reads, as one JSON object on one line (no secrets:
    /// there are none in the stats but the last request's headers, which are left out).
    public var controlLine: String {
        let counters: [String: JSONValue] = [
            "requests": .int(requests),
            "toolCalls": .int(methods["tools/call"] ?? 0),
            "sessionsCreated": .int(sessionsCreated),
            "cancellations": .int(cancellations),
            "tokensIssued": .int(tokensIssued),
            "refreshes": .int(refreshes),
            "refreshesStarted": .int(refreshesStarted),
            "invalidGrants": .int(invalidGrants),
            "expiredTokenRequests": .int(expiredTokenRequests),
            "unknownTokenRequests": .int(unknownTokenRequests),
            "codeExchanges": .int(codeExchanges),
        ]
        return JSONValue.object(counters).serialized()
    }
}
