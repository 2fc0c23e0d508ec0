import Foundation

/// Protocol versions and `_meta` keys the demo server knows.
enum MCPVersion {
    /// The stateless era (per-request `_meta`).
    static let modern = "2026-07-28"
    /// Versions served with `initialize` + `Mcp-Session-Id`, newest first.
    static let stateful = ["2025-11-25", "2025-06-18", "2025-03-26"]
    /// The HTTP+SSE transport's version.
    static let legacySSE = "2024-11-05"

    static let protocolVersionKey = "io.modelcontextprotocol/protocolVersion"
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
}

/// JSON-RPC and MCP error codes used by the demo server.
enum ErrorCode {
    static let parseError = -32700
    static let invalidRequest = -32600
    static let methodNotFound = -32601
    static let invalidParams = -32602
    static let requestCancelled = -32800
    static let sessionNotFound = -32001
    static let headerMismatch = -32020
    static let unsupportedProtocolVersion = -32022
}

/// Which protocol generation a message is served under.
enum Era: Sendable, Equatable {
    /// 2026-07-28: every result carries `resultType`.
    case stateless
    /// 2025-03-26 … 2025-11-25 on /mcp with `Mcp-Session-Id`.
    case stateful
    /// 2024-11-05 HTTP+SSE.
    case legacy
}

/// One JSON-RPC request or notification received from a client.
struct RPCMessage: Sendable {
    /// nil for a notification.
    var id: JSONValue?
    var method: String
    var params: [String: JSONValue]

    var isNotification: Bool { id == nil }
    var meta: [String: JSONValue] { params["_meta"]?.objectValue ?? [:] }
    /// The id as JSON text, for keying in-flight calls.
    var idKey: String { id?.serialized() ?? "" }

    enum Parsed: Sendable {
        case message(RPCMessage)
        /// A JSON-RPC response sent by the client (we never ask for one).
        case clientResponse
        /// Not a usable message: the JSON-RPC error to send back with HTTP 400.
        case invalid(JSONValue)
    }

    static func parse(_ data: Data) -> Parsed {
        guard let json = try? JSONValue.parse(data) else {
            return .invalid(rpcError(id: nil, code: ErrorCode.parseError, message: "Parse error"))
        }
        guard case .object(let object) = json else {
            let message =
                if case .array = json {
                    "Invalid Request: batches are not supported"
                } else {
                    "Invalid Request: expected a JSON object"
                }
            return .invalid(
                rpcError(id: nil, code: ErrorCode.invalidRequest, message: message))
        }
        let id = object["id"]
        if let id {
            switch id {
            case .string, .int: break
            default:
                return .invalid(
                    rpcError(
                        id: nil, code: ErrorCode.invalidRequest,
                        message: "Invalid Request: id must be a string or an integer"))
            }
        }
        guard let method = object["method"]?.stringValue else {
            if object["result"] != nil || object["error"] != nil {
                return .clientResponse
            }
            return .invalid(
                rpcError(
                    id: id, code: ErrorCode.invalidRequest,
                    message: "Invalid Request: missing method"))
        }
        let params: [String: JSONValue]
        switch object["params"] {
        case nil, .null?:
            params = [:]
        case .object(let value)?:
            params = value
        default:
            return .invalid(
                rpcError(
                    id: id, code: ErrorCode.invalidRequest,
                    message: "Invalid Request: params must be an object"))
        }
        return .message(RPCMessage(id: id, method: method, params: params))
    }
}

func rpcResult(id: JSONValue?, _ result: JSONValue) -> JSONValue {
    ["jsonrpc": "2.0", "id": id ?? .null, "result": result]
}

func rpcError(id: JSONValue?, code: Int, message: String, data: JSONValue? = nil) -> JSONValue {
    var error: [String: JSONValue] = ["code": .int(code), "message": .string(message)]
    if let data {
        error["data"] = data
    }
    return ["jsonrpc": "2.0", "id": id ?? .null, "error": .object(error)]
}

/// An SSE `message` event carrying one JSON-RPC message.
func sseEvent(_ message: JSONValue) -> String {
    "event: message\ndata: \(message.serialized())\n\n"
}

/// A JSON-RPC answer and the HTTP status to send it with on /mcp.
struct Answer: Sendable {
    var status: Status
    var message: JSONValue

    enum Status: Sendable {
        case ok
        /// Modern servers answer an unknown method with HTTP 404.
        case notFound
    }
}

extension DemoServer {
    static let instructions =
        "Demo MCP server for mcptop: echo, add, slow (progress and cancellation), fail, "
        + "configure (rich input schema) and image."

    /// Versions a request on /mcp may use with the given options.
    static func supportedVersions(_ options: DemoServerOptions) -> [String] {
        (options.stateless ? [MCPVersion.modern] : [])
            + (options.stateful ? MCPVersion.stateful : [])
    }

    static func initializeResult(version: String, options: DemoServerOptions) -> JSONValue {
        [
            "protocolVersion": .string(version),
            "capabilities": ["tools": ["listChanged": false]],
            "serverInfo": ["name": .string(options.name), "version": "1.0.0"],
            "instructions": .string(instructions),
        ]
    }

    /// Adds `resultType: complete` to stateless results.
    static func finish(_ result: JSONValue, era: Era) -> JSONValue {
        guard era == .stateless, case .object(var object) = result else { return result }
        object["resultType"] = "complete"
        return .object(object)
    }

    /// 2026-07-28 CacheableResult (schema.ts): list and discover results say how long they may
    /// be cached; the fields are required there, and strict clients reject results without them.
    static func cacheable(_ result: JSONValue, era: Era) -> JSONValue {
        guard era == .stateless, case .object(var object) = result else { return result }
        object["ttlMs"] = 0
        object["cacheScope"] = "private"
        return .object(object)
    }

    /// Answers every request except `tools/call` and the stateful `initialize` (both need the
    /// transport).
    static func answer(_ message: RPCMessage, era: Era, options: DemoServerOptions) -> Answer {
        let id = message.id
        switch (message.method, era) {
        case ("ping", _):
            return Answer(status: .ok, message: rpcResult(id: id, finish([:], era: era)))
        case ("tools/list", _):
            return Answer(status: .ok, message: toolsList(message, era: era, options: options))
        case ("server/discover", .stateless):
            let result: JSONValue = [
                "resultType": "complete",
                "supportedVersions": .array(supportedVersions(options).map { .string($0) }),
                "capabilities": ["tools": [:]],
                "_meta": [
                    MCPVersion.serverInfoKey: [
                        "name": .string(options.name), "version": "1.0.0",
                    ]
                ],
                "instructions": .string(instructions),
            ]
            return Answer(status: .ok, message: rpcResult(id: id, cacheable(result, era: era)))
        case ("initialize", .legacy):
            let result = initializeResult(version: MCPVersion.legacySSE, options: options)
            return Answer(status: .ok, message: rpcResult(id: id, result))
        default:
            let error = rpcError(
                id: id, code: ErrorCode.methodNotFound,
                message: "Method not found: \(message.method)")
            return Answer(status: era == .stateless ? .notFound : .ok, message: error)
        }
    }

    static func toolsList(_ message: RPCMessage, era: Era, options: DemoServerOptions) -> JSONValue {
        let all = DemoTools.definitions
        var start = 0
        if let cursor = message.params["cursor"], !cursor.isNull {
            guard let text = cursor.stringValue, let offset = Int(text), offset >= 0,
                offset <= all.count
            else {
                return rpcError(
                    id: message.id, code: ErrorCode.invalidParams, message: "Invalid cursor")
            }
            start = offset
        }
        let size = options.toolsPageSize > 0 ? options.toolsPageSize : all.count
        let end = min(all.count, start + size)
        var result: [String: JSONValue] = ["tools": .array(Array(all[start..<end]))]
        if end < all.count {
            result["nextCursor"] = .string(String(end))
        }
        return rpcResult(id: message.id, cacheable(finish(.object(result), era: era), era: era))
    }

    /// Decodes a header value that may use the `=?base64?…?=` sentinel.
    static func decodeHeaderValue(_ value: String) -> String? {
        let prefix = "=?base64?"
        let suffix = "?="
        guard value.hasPrefix(prefix), value.hasSuffix(suffix),
            value.count >= prefix.count + suffix.count
        else {
            return value
        }
        let encoded = String(value.dropFirst(prefix.count).dropLast(suffix.count))
        guard let data = Data(base64Encoded: encoded) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// Checks the 2026-07-28 request metadata headers against the body; returns the
    /// `HeaderMismatch` error to send, or nil when they agree.
    static func headerMismatch(
        _ message: RPCMessage, version: String, headers: [String: String]
    ) -> JSONValue? {
        func mismatch(_ text: String) -> JSONValue {
            rpcError(id: message.id, code: ErrorCode.headerMismatch, message: text)
        }
        guard let headerVersion = headers["mcp-protocol-version"] else {
            return mismatch("Header mismatch: missing MCP-Protocol-Version header")
        }
        guard headerVersion == version else {
            return mismatch(
                "Header mismatch: MCP-Protocol-Version header value '\(headerVersion)' "
                    + "does not match body value '\(version)'")
        }
        guard let headerMethod = headers["mcp-method"] else {
            return mismatch("Header mismatch: missing Mcp-Method header")
        }
        guard headerMethod == message.method else {
            return mismatch(
                "Header mismatch: Mcp-Method header value '\(headerMethod)' "
                    + "does not match body value '\(message.method)'")
        }
        if message.method == "tools/call", let name = message.params["name"]?.stringValue {
            guard let rawName = headers["mcp-name"] else {
                return mismatch("Header mismatch: missing Mcp-Name header")
            }
            guard let headerName = decodeHeaderValue(rawName) else {
                return mismatch("Header mismatch: Mcp-Name header is not valid base64")
            }
            guard headerName == name else {
                return mismatch(
                    "Header mismatch: Mcp-Name header value '\(headerName)' "
                        + "does not match body value '\(name)'")
            }
        }
        return nil
    }
}
