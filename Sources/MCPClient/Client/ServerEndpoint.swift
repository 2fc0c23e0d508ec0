/// Where a server is and how to reach it: what the configuration resolves to.
public struct ServerEndpoint: Sendable, Equatable {
    public enum Transport: Sendable, Equatable {
        /// Streamable HTTP; mcptop negotiates the revision and falls back to HTTP+SSE.
        case streamableHTTP(url: String)
        /// The deprecated HTTP+SSE transport (2024-11-05), by its SSE URL.
        case legacySSE(url: String)
        case stdio(command: String, arguments: [String], environment: [String: String], workingDirectory: String?)
    }

    public var name: String
    public var transport: Transport
    /// Static headers (API keys), for HTTP transports. Sent through the authorizer.
    public var headers: [(String, String)]
    /// A revision to use instead of negotiating one.
    public var protocolVersion: String?
    public var connectTimeout: Double
    /// Default timeout of one request, in seconds.
    public var requestTimeout: Double
    public var maxBodyBytes: Int

    public init(
        name: String, transport: Transport, headers: [(String, String)] = [], protocolVersion: String? = nil,
        connectTimeout: Double = 10, requestTimeout: Double = 60, maxBodyBytes: Int = 64 << 20
    ) {
        self.name = name
        self.transport = transport
        self.headers = headers
        self.protocolVersion = protocolVersion
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxBodyBytes = maxBodyBytes
    }

    public static func == (lhs: ServerEndpoint, rhs: ServerEndpoint) -> Bool {
        lhs.name == rhs.name && lhs.transport == rhs.transport
            && lhs.headers.elementsEqual(rhs.headers) { $0 == $1 }
            && lhs.protocolVersion == rhs.protocolVersion && lhs.connectTimeout == rhs.connectTimeout
            && lhs.requestTimeout == rhs.requestTimeout && lhs.maxBodyBytes == rhs.maxBodyBytes
    }

    /// The URL or command line, for listings.
    public var target: String {
        switch transport {
        case .streamableHTTP(let url), .legacySSE(let url): return url
        case .stdio(let command, let arguments, _, _):
            return ([command] + arguments).joined(separator: " ")
        }
    }

    /// The URL of an HTTP server (the MCP endpoint, or the SSE URL of the legacy transport):
    /// what OAuth protects. Nil for stdio.
    public var httpURL: String? {
        switch transport {
        case .streamableHTTP(let url), .legacySSE(let url): return url
        case .stdio: return nil
        }
    }

    public var transportName: String {
        switch transport {
        case .streamableHTTP: return "http"
        case .legacySSE: return "sse"
        case .stdio: return "stdio"
        }
    }
}
