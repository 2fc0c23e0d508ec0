import Synchronization

/// Remembers whether a cancelled call has already been counted in the stats, so a call that is
/// cancelled twice (notification and closed stream) counts once.
final class CancellationFlag: Sendable {
    private let claimed = Mutex(false)

    /// Returns true the first time only.
    func claim() -> Bool {
        claimed.withLock { claimed in
            if claimed { return false }
            claimed = true
            return true
        }
    }
}

/// What a tool needs from the transport that runs it.
struct ToolContext: Sendable {
    /// The request's `_meta.progressToken`, or nil when progress must not be sent.
    var progressToken: JSONValue?
    /// Sends a JSON-RPC notification related to the running request.
    var emit: @Sendable (JSONValue) -> Void
    /// Called when the tool stops early because its task was cancelled.
    var cancelled: @Sendable () -> Void
}

enum ToolOutcome: Sendable {
    case result(JSONValue)
    case unknownTool(String)
    /// The call was cancelled; no response must be sent.
    case cancelled
}

/// The demo server's tools: their definitions for `tools/list` and their behaviour.
enum DemoTools {
    /// A 1x1 PNG (grey + alpha).
    static let tinyPNG =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8"
        + "AAAAASUVORK5CYII="

    static let definitions: [JSONValue] = [
        [
            "name": "echo",
            "description": "Returns the given text unchanged, handy for checking a round trip.",
            "inputSchema": [
                "type": "object",
                "properties": [
                    "text": ["type": "string", "description": "Text to send back."]
                ],
                "required": ["text"],
            ],
        ],
        [
            "name": "add",
            "description": "Adds two numbers and returns the sum as text and structured content.",
            "inputSchema": [
                "type": "object",
                "properties": [
                    "a": ["type": "number", "description": "First addend."],
                    "b": ["type": "number", "description": "Second addend."],
                ],
                "required": ["a", "b"],
            ],
            "outputSchema": [
                "type": "object",
                "properties": ["sum": ["type": "number"]],
                "required": ["sum"],
            ],
        ],
        [
            "name": "slow",
            "description":
                "Works for a while, reporting progress after each step, and can be cancelled.",
            "inputSchema": [
                "type": "object",
                "properties": [
                    "steps": [
                        "type": "integer", "default": 5, "minimum": 0,
                        "description": "Number of steps to run.",
                    ],
                    "delayMs": [
                        "type": "integer", "default": 200, "minimum": 0,
                        "description": "Milliseconds each step takes.",
                    ],
                ],
            ],
        ],
        [
            "name": "fail",
            "description": "Always fails with a tool error, to exercise error display.",
            "inputSchema": [
                "type": "object",
                "properties": [
                    "reason": ["type": "string", "description": "Why it should fail."]
                ],
            ],
        ],
        [
            "name": "configure",
            "description":
                "Applies a settings profile; its rich input schema exercises argument forms.",
            "inputSchema": [
                "type": "object",
                "properties": [
                    "profile": [
                        "type": "object",
                        "description": "Profile to apply.",
                        "properties": [
                            "name": ["type": "string", "description": "Profile name."],
                            "level": [
                                "type": "integer", "minimum": 1, "maximum": 5,
                                "description": "Intensity from 1 to 5.",
                            ],
                            "tags": [
                                "type": "array", "items": ["type": "string"],
                                "description": "Free-form labels.",
                            ],
                        ],
                        "required": ["name"],
                    ],
                    "mode": [
                        "type": "string", "enum": ["fast", "safe", "verbose"],
                        "default": "safe", "description": "How to apply the profile.",
                    ],
                    "retries": [
                        "type": "integer", "default": 3, "description": "Attempts on failure.",
                    ],
                    "dryRun": [
                        "type": "boolean", "description": "Only show what would change.",
                    ],
                    "target": ["$ref": "#/$defs/target"],
                ],
                "required": ["profile", "mode"],
                "$defs": [
                    "target": [
                        "type": "object",
                        "properties": [
                            "host": ["type": "string"],
                            "port": ["type": "integer"],
                        ],
                        "required": ["host"],
                    ]
                ],
            ],
        ],
        [
            "name": "image",
            "description": "Returns a tiny PNG image and an embedded text resource.",
            "inputSchema": ["type": "object", "properties": [:]],
        ],
        [
            "name": "admin",
            "description": "Needs the admin OAuth scope when the server uses OAuth; answers \"admin ok\".",
            "inputSchema": ["type": "object", "properties": [:]],
        ],
    ]

    static func call(
        name: String, arguments: [String: JSONValue], context: ToolContext
    ) async -> ToolOutcome {
        switch name {
        case "echo": return .result(echo(arguments))
        case "add": return .result(add(arguments))
        case "slow": return await slow(arguments, context: context)
        case "fail":
            let reason = arguments["reason"]?.stringValue ?? "on purpose"
            return .result(result([text("failed: \(reason)")], isError: true))
        case "configure": return .result(configure(arguments))
        case "image":
            let image: JSONValue = [
                "type": "image", "data": .string(tinyPNG), "mimeType": "image/png",
            ]
            let resource: JSONValue = [
                "type": "resource",
                "resource": ["uri": "demo://readme", "mimeType": "text/plain", "text": "hello"],
            ]
            return .result(result([image, resource]))
        case "admin": return .result(result([text("admin ok")]))
        default:
            return .unknownTool(name)
        }
    }

    // MARK: Tools

    private static func echo(_ arguments: [String: JSONValue]) -> JSONValue {
        guard let value = arguments["text"]?.stringValue else {
            return invalid("'text' is required and must be a string")
        }
        return result([text(value)])
    }

    private static func add(_ arguments: [String: JSONValue]) -> JSONValue {
        guard let a = arguments["a"]?.doubleValue, let b = arguments["b"]?.doubleValue else {
            return invalid("'a' and 'b' are required and must be numbers")
        }
        let sum = a + b
        guard sum.isFinite else { return invalid("the sum is not a finite number") }
        let number = JSONValue.number(sum)
        let shown: String
        if case .int(let integer) = number {
            shown = String(integer)
        } else {
            shown = "\(sum)"
        }
        return result([text(shown)], structured: ["sum": number])
    }

    private static func slow(
        _ arguments: [String: JSONValue], context: ToolContext
    ) async -> ToolOutcome {
        let stepsArgument = arguments["steps"].flatMap { $0.isNull ? nil : $0 }
        let delayArgument = arguments["delayMs"].flatMap { $0.isNull ? nil : $0 }
        guard stepsArgument == nil || stepsArgument?.intValue != nil,
            delayArgument == nil || delayArgument?.intValue != nil
        else {
            return .result(invalid("'steps' and 'delayMs' must be integers"))
        }
        let steps = min(max(stepsArgument?.intValue ?? 5, 0), 10_000)
        let delayMs = min(max(delayArgument?.intValue ?? 200, 0), 600_000)
        var step = 0
        while step < steps {
            step += 1
            do {
                try await Task.sleep(for: .milliseconds(delayMs))
            } catch {
                context.cancelled()
                return .cancelled
            }
            if Task.isCancelled {
                context.cancelled()
                return .cancelled
            }
            if let token = context.progressToken {
                context.emit([
                    "jsonrpc": "2.0",
                    "method": "notifications/progress",
                    "params": [
                        "progressToken": token,
                        "progress": .int(step),
                        "total": .int(steps),
                        "message": .string("step \(step) of \(steps)"),
                    ],
                ])
            }
        }
        return .result(result([text("done after \(steps) steps")]))
    }

    private static func configure(_ arguments: [String: JSONValue]) -> JSONValue {
        guard let profile = arguments["profile"]?.objectValue else {
            return invalid("'profile' is required and must be an object")
        }
        guard let profileName = profile["name"]?.stringValue else {
            return invalid("'profile.name' is required and must be a string")
        }
        if let level = profile["level"] {
            guard let value = level.intValue, (1...5).contains(value) else {
                return invalid("'profile.level' must be an integer from 1 to 5")
            }
        }
        if let tags = profile["tags"] {
            guard case .array(let items) = tags, items.allSatisfy({ $0.stringValue != nil })
            else {
                return invalid("'profile.tags' must be an array of strings")
            }
        }
        guard let mode = arguments["mode"]?.stringValue,
            ["fast", "safe", "verbose"].contains(mode)
        else {
            return invalid("'mode' is required and must be one of fast, safe, verbose")
        }
        if let retries = arguments["retries"], retries.intValue == nil {
            return invalid("'retries' must be an integer")
        }
        if let dryRun = arguments["dryRun"], dryRun.boolValue == nil {
            return invalid("'dryRun' must be a boolean")
        }
        if let target = arguments["target"] {
            guard let host = target["host"], host.stringValue != nil else {
                return invalid("'target.host' is required and must be a string")
            }
            if let port = target["port"], port.intValue == nil {
                return invalid("'target.port' must be an integer")
            }
        }
        return result(
            [text("configured \(profileName) in \(mode) mode")],
            structured: .object(arguments))
    }

    // MARK: Helpers

    private static func text(_ value: String) -> JSONValue {
        ["type": "text", "text": .string(value)]
    }

    private static func invalid(_ message: String) -> JSONValue {
        result([text("invalid arguments: \(message)")], isError: true)
    }

    private static func result(
        _ content: [JSONValue], structured: JSONValue? = nil, isError: Bool = false
    ) -> JSONValue {
        var object: [String: JSONValue] = ["content": .array(content)]
        if let structured {
            object["structuredContent"] = structured
        }
        if isError {
            object["isError"] = true
        }
        return .object(object)
    }
}
