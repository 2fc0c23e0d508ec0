import Support

/// JSON-RPC 2.0 messages as MCP uses them.
public enum JSONRPCID: Sendable, Hashable, CustomStringConvertible {
    case number(Int64)
    case string(String)

    public init?(_ value: JSONValue?) {
        switch value {
        case .int(let i): self = .number(i)
        case .double(let d):
            guard let i = Int64(exactly: d) else { return nil }
            self = .number(i)
        case .string(let s): self = .string(s)
        default: return nil
        }
    }

    public var json: JSONValue {
        switch self {
        case .number(let i): return .int(i)
        case .string(let s): return .string(s)
        }
    }

    public var description: String {
        switch self {
        case .number(let i): return String(i)
        case .string(let s): return s
        }
    }
}

public struct JSONRPCError: Error, Sendable, Equatable {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    // JSON-RPC 2.0 §5.1 and MCP's reserved range (2026-07-28 schema.ts).
    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    public static let headerMismatch = -32020
    public static let missingRequiredClientCapability = -32021
    public static let unsupportedProtocolVersion = -32022

    /// Errors only a modern (2026-07-28 or later) server sends; seeing one identifies the era
    /// (streamable-http.mdx, Backward Compatibility).
    public var isModernProtocolError: Bool {
        [Self.headerMismatch, Self.missingRequiredClientCapability, Self.unsupportedProtocolVersion]
            .contains(code)
    }
}

public enum JSONRPCMessage: Sendable, Equatable {
    case request(id: JSONRPCID, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    case response(id: JSONRPCID, result: JSONValue)
    case error(id: JSONRPCID?, error: JSONRPCError)

    public var json: JSONValue {
        var object: JSONValue = ["jsonrpc": "2.0"]
        switch self {
        case .request(let id, let method, let params):
            object["id"] = id.json
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case .notification(let method, let params):
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case .response(let id, let result):
            object["id"] = id.json
            object["result"] = result
        case .error(let id, let error):
            object["id"] = id?.json ?? .null
            var body: JSONValue = ["code": .int(Int64(error.code)), "message": .string(error.message)]
            if let data = error.data { body["data"] = data }
            object["error"] = body
        }
        return object
    }

    public var method: String? {
        switch self {
        case .request(_, let method, _), .notification(let method, _): return method
        default: return nil
        }
    }

    /// The id of a response or error, used to route it to the request waiting for it.
    public var responseID: JSONRPCID? {
        switch self {
        case .response(let id, _): return id
        case .error(let id, _): return id
        default: return nil
        }
    }

    /// The progress token a request asks its progress notifications to carry (`_meta`).
    public var progressToken: JSONValue? {
        guard case .request(_, _, let params) = self else { return nil }
        return params?["_meta"]?["progressToken"]
    }

    /// Reads one message; what is not a JSON-RPC 2.0 message is a protocol error.
    public init(json: JSONValue) throws(MCPProtocolViolation) {
        guard case .object = json else {
            throw MCPProtocolViolation("expected a JSON-RPC object, got \(json.typeName)")
        }
        let id = json["id"]
        if let method = json["method"]?.stringValue {
            if let id, id != .null {
                guard let rpcID = JSONRPCID(id) else {
                    throw MCPProtocolViolation("request id must be a string or integer")
                }
                self = .request(id: rpcID, method: method, params: json["params"])
            } else {
                self = .notification(method: method, params: json["params"])
            }
            return
        }
        if let error = json["error"] {
            guard let code = error["code"]?.intValue else {
                throw MCPProtocolViolation("error response without an integer code")
            }
            let message = error["message"]?.stringValue ?? "(no message)"
            self = .error(
                id: JSONRPCID(id), error: JSONRPCError(code: code, message: message, data: error["data"]))
            return
        }
        if let result = json["result"] {
            guard let rpcID = JSONRPCID(id) else {
                throw MCPProtocolViolation("response without a valid id")
            }
            self = .response(id: rpcID, result: result)
            return
        }
        throw MCPProtocolViolation("message has neither method, result nor error")
    }

    public init(bytes: some Collection<UInt8>) throws(MCPProtocolViolation) {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw MCPProtocolViolation("invalid JSON (\(error))")
        }
        try self.init(json: json)
    }
}

/// The peer sent something that is not valid MCP / JSON-RPC.
public struct MCPProtocolViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
