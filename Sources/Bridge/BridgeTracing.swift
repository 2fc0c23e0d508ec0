import MCPClient
import Support

/// Wraps each request a bridge's client makes, so a tracer can make a span of it (the `OTLP`
/// build's OpenTelemetry export). What runs inside `body` — the upstream request, and a token
/// refresh or another OAuth request it needs — runs in the caller's task, so a tracer that
/// keeps its span in a task-local context sees those nest under it.
public protocol BridgeTracing: Sendable {
    func trace(_ operation: BridgedOperation, _ body: @Sendable () async -> BridgedOperation.Answer) async
        -> JSONRPCMessage
}

/// One request of a bridge's client, as a tracer needs it: nothing of its arguments but the
/// names the MCP semantic conventions ask for.
public struct BridgedOperation: Sendable, Equatable {
    /// The server's name in the config.
    public var server: String
    /// The JSON-RPC method (`tools/call`).
    public var method: String
    /// The client's request id, as text.
    public var requestID: String
    /// The tool's name (`tools/call`) or the prompt's (`prompts/get`).
    public var target: String?
    /// The resource's URI (`resources/read`, `resources/subscribe`, `resources/unsubscribe`).
    public var resourceURI: String?

    public init(server: String, method: String, requestID: String, target: String? = nil, resourceURI: String? = nil) {
        self.server = server
        self.method = method
        self.requestID = requestID
        self.target = target
        self.resourceURI = resourceURI
    }

    /// What a request's parameters name, for the span: the tool or prompt, the resource.
    public init(server: String, id: JSONRPCID, method: String, params: JSONValue?) {
        self.server = server
        self.method = method
        requestID = id.description
        switch method {
        case "tools/call", "prompts/get": target = params?["name"]?.stringValue
        case "resources/read", "resources/subscribe", "resources/unsubscribe": resourceURI = params?["uri"]?.stringValue
        default: break
        }
    }

    /// The answer the client gets, with the revision agreed with the client by then and the
    /// name it gave (nil while unknown).
    public struct Answer: Sendable {
        public var message: JSONRPCMessage
        public var protocolVersion: String?
        public var clientName: String?

        public init(message: JSONRPCMessage, protocolVersion: String?, clientName: String?) {
            self.message = message
            self.protocolVersion = protocolVersion
            self.clientName = clientName
        }
    }
}
