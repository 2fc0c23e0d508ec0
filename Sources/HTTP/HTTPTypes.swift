import Foundation
import Support

/// Header fields in the order they were sent or received. Names compare case-insensitively
/// (RFC 9110 §5.1); values are kept as they are.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The first value of the named field.
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of the named field (e.g. several `WWW-Authenticate` challenges).
    public func values(_ name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field of that name with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Self.sameName($0.name, name) }
    }

    /// Field names are tokens (RFC 9110 §5.6.2): ASCII, so ASCII case folding is the whole
    /// comparison, without Foundation's locale-aware one.
    static func sameName(_ a: String, _ b: String) -> Bool {
        func folded(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
        return a.utf8.elementsEqual(b.utf8) { folded($0) == folded($1) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Seconds to establish the connection (TCP + TLS).
    public var connectTimeout: Double
    /// Seconds for the whole transfer, body included; nil for none (long-lived SSE streams).
    public var timeout: Double?
    /// A response body larger than this ends the transfer with `.bodyTooLarge`.
    public var maxBodyBytes: Int
    /// Who the request is for, used in error messages ("acme: could not connect to …").
    public var label: String?

    public static let defaultMaxBodyBytes = 64 << 20

    public init(
        method: String = "GET", url: String, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8]? = nil, connectTimeout: Double = 10, timeout: Double? = 60,
        maxBodyBytes: Int = HTTPRequest.defaultMaxBodyBytes, label: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
        self.label = label
    }
}

public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders

    public init(status: Int, headers: HTTPHeaders) {
        self.status = status
        self.headers = headers
    }

    /// The media type without parameters, lower-cased (`text/event-stream`).
    public var mediaType: String? {
        headers["Content-Type"].map {
            String(decoding: trimmingWhitespace($0.utf8.prefix { $0 != UInt8(ascii: ";") }), as: UTF8.self)
                .lowercased()
        }
    }
}

/// `bytes` without leading and trailing spaces and tabs (HTTP's optional whitespace).
func trimmingWhitespace<Bytes: BidirectionalCollection>(_ bytes: Bytes) -> Bytes.SubSequence
where Bytes.Element == UInt8 {
    let isWhitespace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    let start = bytes.firstIndex { !isWhitespace($0) } ?? bytes.endIndex
    let end = bytes[start...].lastIndex { !isWhitespace($0) }.map { bytes.index(after: $0) } ?? start
    return bytes[start..<end]
}

/// A response whose body is read as it arrives. Dropping `body` early cancels the transfer.
public struct HTTPStreamingResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: AsyncThrowingStream<[UInt8], Error>

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }

    /// Reads the whole body (still bounded by the request's `maxBodyBytes`).
    public func collect() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body { bytes += chunk }
        // A cancelled task ends the iteration early without an error; a partial body must
        // not pass for a whole one.
        try Task.checkCancellation()
        return bytes
    }
}

public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: [UInt8]

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A transfer that did not produce a complete response. The message names the server (when
/// the request had a label) and the URL without its query, which may hold secrets.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidURL
        case couldNotResolveHost
        case couldNotConnect
        case timeout
        case tls
        case bodyTooLarge(limit: Int)
        case cancelled
        /// The connection closed before the response was complete (curl 18, 52, 56): a body
        /// cut short, or no answer at all. The request may or may not have been acted on.
        case closedEarly
        case transport(code: Int)
    }

    public var kind: Kind
    public var url: String
    public var label: String?
    public var detail: String

    public init(_ kind: Kind, url: String, label: String? = nil, detail: String = "") {
        self.kind = kind
        self.url = url
        self.label = label
        self.detail = detail
    }

    public var description: String {
        let target = displayURL(url)
        let what: String
        switch kind {
        case .invalidURL: what = "invalid URL \(target)"
        case .couldNotResolveHost: what = "could not resolve the host of \(target)"
        case .couldNotConnect: what = "could not connect to \(target)"
        case .timeout: what = "timed out talking to \(target)"
        case .tls: what = "TLS failure with \(target)"
        case .bodyTooLarge(let limit):
            what = "response from \(target) is larger than the \(limit / (1 << 20)) MiB limit"
        case .cancelled: what = "request to \(target) was cancelled"
        case .closedEarly: what = "the connection to \(target) closed before the answer was complete"
        case .transport(let code): what = "transfer with \(target) failed (curl \(code))"
        }
        let prefix = label.map { "\($0): " } ?? ""
        return prefix + what + (detail.isEmpty ? "" : ": \(detail)")
    }
}
