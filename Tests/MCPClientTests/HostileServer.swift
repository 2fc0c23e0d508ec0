import Foundation
import MCPClient
import Support
import Synchronization

/// A loopback HTTP server that misbehaves on purpose, the way a broken or hostile MCP server
/// can: it holds connections open and never answers a step of the handshake. Plain sockets
/// and a thread per connection, so that "never answers" is exactly that.
final class HostileServer: Sendable {
    enum Behaviour: Sendable {
        /// Streamable HTTP: refuses `server/discover` (400, no JSON-RPC body, so the client
        /// falls back to `initialize`), answers `initialize`, and never answers the
        /// `notifications/initialized` POST.
        case silentAfterInitialize
        /// Legacy HTTP+SSE: answers the GET with an event stream that never names an endpoint.
        case sseWithoutEndpoint
        /// Reads every request and answers none.
        case silent
        /// A stateless server whose `tools/list` answers a page of one tool and a new
        /// `nextCursor`, for ever.
        case endlessToolPages
        /// Answers every POST 307 to `HostileServer.elsewhere`.
        case redirect
    }

    /// Where `.redirect` points: a port nothing listens on, with a query to keep off screens.
    static let elsewhere = "http://127.0.0.1:1/elsewhere?code=secret"

    let behaviour: Behaviour
    let port: Int
    private let listener: Int32
    private let open = Mutex<Set<Int32>>([])
    private let seen = Mutex<[String]>([])

    /// What was asked so far: JSON-RPC methods for POSTs, "GET /path" for GETs.
    var requests: [String] { seen.withLock { $0 } }

    var base: String { "http://127.0.0.1:\(port)" }

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "hostile-accept"
        thread.start()
    }

    /// Closes the listener and every connection.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in open.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Waits (at most `seconds`) until a request matching `what` has arrived. A precondition of
    /// the tests, not what they measure: long enough for a two-core machine running every suite.
    func waitFor(_ what: String, seconds: Double = 15) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if requests.contains(what) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            open.withLock { _ = $0.insert(fd) }
            let thread = Thread { [self] in
                serve(fd)
                open.withLock { _ = $0.remove(fd) }
                close(fd)
            }
            thread.name = "hostile-connection"
            thread.start()
        }
    }

    /// Requests on one keep-alive connection, one after the other.
    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        while let (head, body) = readRequest(fd, &buffer) {
            let requestLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
            if requestLine.hasPrefix("GET ") {
                let path = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
                seen.withLock { $0.append("GET \(path)") }
                switch behaviour {
                case .sseWithoutEndpoint:
                    // The head and a comment, then nothing: the endpoint event never comes.
                    send(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")
                    send(fd, ": waiting\n\n")
                    holdUntilClosed(fd)
                    return
                case .silentAfterInitialize, .silent, .endlessToolPages, .redirect:
                    holdUntilClosed(fd)
                    return
                }
            }
            let message = try? JSONValue.parse(body)
            let method = message?["method"]?.stringValue ?? "?"
            seen.withLock { $0.append(method) }
            let id = message?["id"] ?? .null
            switch (behaviour, method) {
            case (.silentAfterInitialize, "server/discover"), (.endlessToolPages, "server/discover"):
                send(
                    fd, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nBad Request")
            case (.silentAfterInitialize, "initialize"), (.endlessToolPages, "initialize"):
                let result: JSONValue = [
                    "protocolVersion": "2025-11-25", "capabilities": ["tools": [:]],
                    "serverInfo": ["name": "hostile", "version": "1"],
                ]
                let session = behaviour == .silentAfterInitialize ? "Mcp-Session-Id: hostile-1\r\n" : ""
                sendJSON(fd, ["jsonrpc": "2.0", "id": id, "result": result], headers: session)
            case (.redirect, _):
                send(
                    fd,
                    "HTTP/1.1 307 Temporary Redirect\r\nLocation: \(Self.elsewhere)\r\nContent-Length: 0\r\n\r\n")
            case (.endlessToolPages, "notifications/initialized"):
                send(fd, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            case (.endlessToolPages, "tools/list"):
                let page = (message?["params"]?["cursor"]?.stringValue).flatMap { Int($0) } ?? 0
                let tool: JSONValue = ["name": .string("tool-\(page)"), "inputSchema": ["type": "object"]]
                let result: JSONValue = ["tools": [tool], "nextCursor": .string("\(page + 1)")]
                sendJSON(fd, ["jsonrpc": "2.0", "id": id, "result": result])
            default:
                holdUntilClosed(fd)
                return
            }
        }
    }

    /// One request's head and body (by Content-Length), or nil when the peer closed.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> (String, [UInt8])? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffer.firstRange(of: separator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").compactMap { line -> Int? in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                        return Int(parts[1].trimmingCharacters(in: .whitespaces))
                    }.first ?? 0
                while buffer.count < end.upperBound + length {
                    guard fill(fd, &buffer) else { return nil }
                }
                let body = Array(buffer[end.upperBound..<(end.upperBound + length)])
                buffer.removeFirst(end.upperBound + length)
                return (head, body)
            }
            guard fill(fd, &buffer) else { return nil }
        }
    }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return false }
        buffer += chunk[0..<count]
        return true
    }

    /// A 200 with a JSON body and any extra header lines (each ending in CR LF).
    private func sendJSON(_ fd: Int32, _ value: JSONValue, headers: String = "") {
        let bytes = value.serialized()
        send(
            fd,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\(headers)"
                + "Content-Length: \(bytes.utf8.count)\r\n\r\n\(bytes)")
    }

    private func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Keeps the connection open, answering nothing, until the client gives up.
    private func holdUntilClosed(_ fd: Int32) {
        var scratch: [UInt8] = []
        while fill(fd, &scratch) { scratch.removeAll(keepingCapacity: true) }
    }
}

/// The task's result if it ends within `seconds`, else nil (the task is left running: before
/// a fix, a hung connect could not be stopped at all, and the test must still end).
func result<T: Sendable>(of task: Task<T, Error>, within seconds: Double) async -> Result<T, Error>? {
    await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, Error>?, Never>) in
        let pending = Mutex<CheckedContinuation<Result<T, Error>?, Never>?>(continuation)
        let finish: @Sendable (Result<T, Error>?) -> Void = { outcome in
            pending.withLock { waiting in
                defer { waiting = nil }
                return waiting
            }?.resume(returning: outcome)
        }
        let deadline = Deadlines.shared.schedule(after: seconds) { finish(nil) }
        Task {
            let outcome = await task.result
            Deadlines.shared.cancel(deadline)
            finish(outcome)
        }
    }
}
