import Foundation
import Support

/// A tool as listed by `tools/list`. The raw definition is kept so nothing the server sent is
/// lost (annotations, icons, `_meta`).
public struct Tool: Sendable, Equatable {
    public var name: String
    public var title: String?
    public var description: String?
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var raw: JSONValue

    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, !name.isEmpty else { return nil }
        self.name = name
        title = json["title"]?.stringValue ?? json["annotations"]?["title"]?.stringValue
        description = json["description"]?.stringValue
        inputSchema = json["inputSchema"] ?? ["type": "object"]
        outputSchema = json["outputSchema"]
        raw = json
    }
}

/// What `tools/call` returned. `isError` is the tool's own failure, not a protocol error.
public struct ToolResult: Sendable, Equatable {
    public var content: [JSONValue]
    public var structuredContent: JSONValue?
    public var isError: Bool
    /// The whole result object as received.
    public var raw: JSONValue

    public init(json: JSONValue) {
        raw = json
        content = json["content"]?.arrayValue ?? []
        structuredContent = json["structuredContent"]
        isError = json["isError"]?.boolValue ?? false
    }

    /// The result as lines for a person: text as it is, other blocks summarized.
    public var summaryLines: [String] {
        var lines: [String] = []
        for block in content {
            let type = block["type"]?.stringValue ?? "?"
            switch type {
            case "text":
                lines.append(block["text"]?.stringValue ?? "")
            case "image", "audio":
                let mime = block["mimeType"]?.stringValue ?? "unknown type"
                let bytes = (block["data"]?.stringValue).map { $0.count * 3 / 4 } ?? 0
                lines.append("[\(type) \(mime), \(ToolResult.formatBytes(bytes))]")
            case "resource":
                let resource = block["resource"]
                let uri = resource?["uri"]?.stringValue ?? "?"
                let mime = resource?["mimeType"]?.stringValue.map { " (\($0))" } ?? ""
                lines.append("[resource \(uri)\(mime)]")
                if let text = resource?["text"]?.stringValue { lines.append(text) }
            case "resource_link":
                let uri = block["uri"]?.stringValue ?? "?"
                let name = block["name"]?.stringValue.map { " \($0)" } ?? ""
                lines.append("[link\(name) \(uri)]")
            default:
                lines.append("[\(type) block]")
            }
        }
        if content.isEmpty, let structured = structuredContent {
            lines.append(structured.prettyPrinted())
        }
        return lines
    }

    static func formatBytes(_ count: Int) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1 << 20 { return NumberText.fixed(Double(count) / 1024, digits: 1) + " KiB" }
        return NumberText.fixed(Double(count) / Double(1 << 20), digits: 1) + " MiB"
    }
}

/// One `notifications/progress` for a request.
public struct Progress: Sendable, Equatable {
    public var progress: Double
    public var total: Double?
    public var message: String?

    public init(progress: Double, total: Double? = nil, message: String? = nil) {
        self.progress = progress
        self.total = total
        self.message = message
    }

    /// A `notifications/progress` as sent, or nil when its `progress` is not a finite number;
    /// a `total` that is not one is left out (a server may send 1e400, "50%" or null).
    public init?(notification params: JSONValue?) {
        guard let value = params?["progress"]?.doubleValue, value.isFinite else { return nil }
        self.init(
            progress: value, total: params?["total"]?.doubleValue.flatMap { $0.isFinite ? $0 : nil },
            message: params?["message"]?.stringValue)
    }

    /// The params of a `notifications/progress` (its token is set by whoever relays it).
    public var json: JSONValue {
        var params: JSONValue = ["progressToken": "mcptop", "progress": .double(progress)]
        if let total { params["total"] = .double(total) }
        if let message { params["message"] = .string(message) }
        return params
    }
}

/// What the server told about itself when we connected.
public struct ServerInfo: Sendable, Equatable {
    public enum TransportKind: String, Sendable {
        case streamableHTTP = "streamable-http"
        case sse
        case stdio
    }

    public var protocolVersion: String
    public var transport: TransportKind
    public var name: String?
    public var version: String?
    public var instructions: String?
    public var capabilities: JSONValue
    /// The session id of a stateful Streamable HTTP connection.
    public var sessionID: String?

    /// True for 2026-07-28 and later: no session, `_meta` on every request.
    public var isStateless: Bool { ProtocolVersion.isModern(protocolVersion) }
}
