/// One Server-Sent Event.
public struct SSEEvent: Sendable, Equatable {
    public var type: String
    public var data: String
    public var id: String?
    public var retry: Int?

    public init(type: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// An incremental parser for `text/event-stream` (WHATWG HTML, "Server-sent events",
/// §9.2.6 interpreting an event stream). Feed it chunks split anywhere — inside a line, a
/// CRLF pair or a UTF-8 sequence — and it returns the events completed so far.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var startBytes: [UInt8]? = []
    private var dataBuffer: [UInt8] = []
    private var hasData = false
    private var eventType = ""
    private var pendingRetry: Int?
    /// The last event ID seen, which persists across events as the spec says.
    public private(set) var lastEventID: String?
    /// The reconnection time the server asked for, in milliseconds.
    public private(set) var retry: Int?
    /// Bytes buffered for an unfinished line or event; callers bound it against hostile servers.
    public var bufferedBytes: Int { line.count + dataBuffer.count }

    public init() {}

    public mutating func feed(_ chunk: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in chunk {
            if startBytes != nil {
                // A single leading UTF-8 BOM (EF BB BF) is dropped; anything else is replayed.
                startBytes?.append(byte)
                guard let pending = startBytes else { continue }
                let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
                if pending == bom {
                    startBytes = nil
                } else if !bom.starts(with: pending) {
                    startBytes = nil
                    for replayed in pending { process(replayed, into: &events) }
                }
                continue
            }
            process(byte, into: &events)
        }
        return events
    }

    private mutating func process(_ byte: UInt8, into events: inout [SSEEvent]) {
        switch byte {
        case 0x0A:
            if lastWasCR {
                lastWasCR = false  // second half of CRLF
                return
            }
            endLine(into: &events)
        case 0x0D:
            lastWasCR = true
            endLine(into: &events)
        default:
            lastWasCR = false
            line.append(byte)
        }
    }

    /// The stream ended: an event without its terminating blank line is discarded (§9.2.6).
    public mutating func finish() -> [SSEEvent] {
        line.removeAll()
        dataBuffer.removeAll()
        hasData = false
        eventType = ""
        return []
    }

    private mutating func endLine(into events: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }  // comment
        let field: [UInt8]
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = Array(line[..<colon])
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = line
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "data":
            dataBuffer.append(contentsOf: value)
            dataBuffer.append(0x0A)
            hasData = true
        case "id":
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let milliseconds = Int(String(decoding: value, as: UTF8.self))
            {
                retry = milliseconds
                pendingRetry = milliseconds
            }
        default:
            break  // unknown fields are ignored
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer {
            dataBuffer.removeAll(keepingCapacity: true)
            hasData = false
            eventType = ""
            pendingRetry = nil
        }
        guard hasData else { return }
        if dataBuffer.last == 0x0A { dataBuffer.removeLast() }
        events.append(
            SSEEvent(
                type: eventType.isEmpty ? "message" : eventType,
                data: String(decoding: dataBuffer, as: UTF8.self),
                id: lastEventID,
                retry: pendingRetry))
    }
}
