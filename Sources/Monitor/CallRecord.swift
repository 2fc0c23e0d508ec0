import DequeModule
import Foundation
import MCPClient
import Support

/// One tool call as the call log keeps it.
public struct CallRecord: Sendable, Equatable, Identifiable {
    public enum Outcome: String, Sendable, Equatable {
        case running, ok, isError, protocolError, authError, cancelled
    }

    public var id: Int
    public var tool: String
    /// A short digest of the arguments, for the list (`{"text":"hi"}` → `text="hi"`).
    public var argumentsDigest: String
    public var startedAt: Date
    public var duration: Double?
    public var outcome: Outcome
    public var lastProgress: MCPClient.Progress?
    /// The error text for failed calls, the result summary for finished ones.
    public var detail: String?
    /// The whole result, kept for the dashboard's result view.
    public var result: ToolResult?
    /// For a call a client made through `mcptop proxy` or `serve`: who and through which.
    public var bridge: Bridge? = nil

    /// The client of a bridged call and the bridge it came through.
    public struct Bridge: Sendable, Hashable, CustomStringConvertible {
        /// The client's name from its `initialize` (`clientInfo.name`): "claude-code".
        public var client: String
        /// "proxy" or "serve".
        public var via: String

        public init(client: String, via: String) {
            self.client = client
            self.via = via
        }

        /// "claude-code via proxy".
        public var description: String { "\(client) via \(via)" }
    }

    /// "claude-code via proxy" for a bridged call, nil for the monitor's own.
    public var via: String? { bridge?.description }

    /// `key=value` pairs, values shortened, at most `limit` characters.
    public static func digest(_ arguments: JSONValue?, limit: Int = 60) -> String {
        guard case .object(let object)? = arguments, !object.isEmpty else { return "" }
        let text = object.map { key, value -> String in
            let rendered = value.serialized()
            return "\(key)=\(rendered.count > 20 ? String(rendered.prefix(19)) + "…" : rendered)"
        }.joined(separator: " ")
        return text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }
}

/// A bounded log: the newest `capacity` entries, oldest dropped first.
public struct RingBuffer<Element: Sendable>: Sendable {
    public let capacity: Int
    public private(set) var elements: Deque<Element> = []

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public mutating func append(_ element: Element) {
        if elements.count == capacity { elements.removeFirst() }
        elements.append(element)
    }

    /// Replaces the newest element matching `predicate` (a call record being updated).
    public mutating func update(where predicate: (Element) -> Bool, change: (inout Element) -> Void) {
        guard let index = elements.lastIndex(where: predicate) else { return }
        change(&elements[index])
    }

    public var all: [Element] { Array(elements) }
}
