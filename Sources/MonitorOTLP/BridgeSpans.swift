import Bridge
import MCPClient

#if OTLP
    import Tracing

    /// A server span per request a bridge's client makes (`proxy`, `serve`), after the MCP
    /// semantic conventions: named `{mcp.method.name} {target}` (the tool or prompt), with
    /// `mcp.method.name`, `jsonrpc.request.id`, `mcp.protocol.version` (the client's revision),
    /// `gen_ai.tool.name` and `gen_ai.operation.name` or `gen_ai.prompt.name`,
    /// `mcp.resource.uri`, `network.transport`, and `error.type` with
    /// `rpc.response.status_code` for a JSON-RPC error. No session id and no arguments.
    ///
    /// `withSpan` keeps the span in the task-local service context while the request runs, so
    /// the OAuth requests it needs (a refresh) become its children.
    struct BridgeSpans: BridgeTracing {
        /// `proxy` or `serve`.
        let via: String

        /// stdio for `proxy`, HTTP for `serve` (the conventions' `network.transport`).
        private var transport: String { via == "proxy" ? "pipe" : "tcp" }

        func trace(_ operation: BridgedOperation, _ body: @Sendable () async -> BridgedOperation.Answer) async
            -> JSONRPCMessage
        {
            let name = operation.target.map { "\(operation.method) \($0)" } ?? operation.method
            return await withSpan(name, ofKind: .server) { span in
                span.attributes["mcp.method.name"] = operation.method
                span.attributes["jsonrpc.request.id"] = operation.requestID
                span.attributes["network.transport"] = transport
                span.attributes["mcptop.server.name"] = operation.server
                span.attributes["mcptop.bridge"] = via
                switch operation.method {
                case "tools/call":
                    if let tool = operation.target { span.attributes["gen_ai.tool.name"] = tool }
                    span.attributes["gen_ai.operation.name"] = "execute_tool"
                case "prompts/get":
                    if let prompt = operation.target { span.attributes["gen_ai.prompt.name"] = prompt }
                default:
                    break
                }
                if let uri = operation.resourceURI { span.attributes["mcp.resource.uri"] = uri }
                let answer = await body()
                if let version = answer.protocolVersion { span.attributes["mcp.protocol.version"] = version }
                if let client = answer.clientName { span.attributes["mcptop.client.name"] = client }
                if let failure = Self.failure(answer.message) {
                    span.attributes["error.type"] = failure.type
                    if let code = failure.code { span.attributes["rpc.response.status_code"] = code }
                    span.setStatus(SpanStatus(code: .error))
                }
                return answer.message
            }
        }

        /// How a request failed, as the conventions record it: the JSON-RPC error code, a
        /// tool's `isError`, a request the client cancelled; nil for a success.
        static func failure(_ message: JSONRPCMessage) -> (type: String, code: String?)? {
            if Task.isCancelled { return ("cancelled", nil) }
            switch message {
            case .error(_, let error):
                return (String(error.code), String(error.code))
            case .response(_, let result) where result["isError"] == .bool(true):
                return ("tool_error", nil)
            default:
                return nil
            }
        }
    }
#endif
