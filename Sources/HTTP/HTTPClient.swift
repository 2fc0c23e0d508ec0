import CCurl
import Foundation
import Support
import Synchronization

/// Every HTTP request of the process goes through one libcurl multi handle: connections are
/// reused across requests and servers, a request is sent from the submitting task's thread at
/// once, one thread waits for every response and timer, a long SSE stream costs no thread, and
/// a cancelled request is removed from the multi handle at once.
public final class HTTPClient: Sendable {
    public static let shared = HTTPClient(caFile: HTTPClient.caFileFromEnvironment())

    private let loop: CurlLoop
    /// The CA bundle to verify servers with instead of the system's (a corporate CA).
    private let caFile: Mutex<String?>

    public init(caFile: String? = nil) {
        loop = CurlLoop()
        self.caFile = Mutex(caFile)
    }

    /// Verifies servers with this CA bundle from now on (`"mcptop": {"caFile": …}`); nil
    /// goes back to the system's.
    public func useCAFile(_ path: String?) {
        caFile.withLock { $0 = path }
    }

    /// `SSL_CERT_FILE`, else `CURL_CA_BUNDLE`, as OpenSSL and the curl tool read them (libcurl
    /// itself reads neither). `HTTPS_PROXY`, `http_proxy` and `NO_PROXY` libcurl honours itself.
    public static func caFileFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String?
    {
        ["SSL_CERT_FILE", "CURL_CA_BUNDLE"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
    }

    /// Sends the request and returns once the response head has arrived; the body streams.
    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let transfer = try Transfer(request: request, sockets: loop.sockets, caFile: caFile.withLock { $0 })
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.headContinuation = continuation
                // Dropping the body stream before its end cancels the transfer. The closure
                // holds the transfer until the stream ends, which every transfer reaches.
                transfer.bodyContinuation.onTermination = { [loop] termination in
                    if case .cancelled = termination { loop.cancel(transfer) }
                }
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Sends the request and reads the whole body.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await stream(request)
        return HTTPResponse(head: response.head, body: try await response.collect())
    }

    /// The libcurl version in use, for `--version` and bug reports.
    public static var curlVersion: String { String(cString: mcptop_curl_version()) }
}

/// One request on its way. Set up on the caller's task, then touched only with the curl
/// engine's lock held (`CurlLoop.submit` hands it over), which is what makes the unchecked
/// Sendable safe.
final class Transfer: @unchecked Sendable {
    let request: HTTPRequest
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    var headContinuation: CheckedContinuation<HTTPStreamingResponse, Error>?
    /// The response body, until it is handed out with the head: the transfer keeps no copy, so
    /// the reader dropping it ends the stream (and so the transfer).
    private var body: AsyncThrowingStream<[UInt8], Error>?
    let bodyContinuation: AsyncThrowingStream<[UInt8], Error>.Continuation
    private var status = 0
    private var responseHeaders = HTTPHeaders()
    private var receivedBytes = 0
    var failure: HTTPError?
    var finished = false
    /// Set by `CurlLoop.cancel` before it reaches the engine, so that a request cancelled while
    /// the engine was busy is never sent.
    let cancelRequested = Atomic<Bool>(false)
    /// The response head has been read (not yet handed to the waiting task).
    private var headReady = false
    private let sockets: SocketRegistry
    /// The connection's socket, learnt when libcurl is about to send the request.
    var socket: Int32?
    /// Response bytes came in since the engine last acknowledged them (see `acknowledge`).
    var unacknowledged = false

    /// libcurl's words for a failure (CURLOPT_ERRORBUFFER), e.g. which certificate check failed.
    let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    init(request: HTTPRequest, sockets: SocketRegistry, caFile: String?) throws {
        guard let easy = curl_easy_init() else {
            throw HTTPError(.transport(code: -1), url: request.url, label: request.label)
        }
        self.request = request
        self.easy = easy
        self.sockets = sockets
        let (body, bodyContinuation) = AsyncThrowingStream<[UInt8], Error>.makeStream()
        self.body = body
        self.bodyContinuation = bodyContinuation
        errorText.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        mcptop_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorText)
        if let caFile { mcptop_easy_setopt_string(easy, CURLOPT_CAINFO, caFile) }
        try configure()
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        errorText.deallocate()
    }

    private func configure() throws {
        let r = request
        mcptop_easy_setopt_string(easy, CURLOPT_URL, r.url)
        mcptop_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        // A transfer ended while its name is being resolved does not wait for the resolver's
        // thread to finish (the thread ends by itself): whichever thread holds the engine,
        // an event loop's included, must never block on DNS.
        mcptop_easy_setopt_long(easy, CURLOPT_QUICK_EXIT, 1)
        // TLS verification is never switched off.
        mcptop_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        mcptop_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        mcptop_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        mcptop_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.curlMilliseconds(r.connectTimeout))
        mcptop_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.curlMilliseconds(r.timeout))
        mcptop_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        mcptop_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        // Redirects are not followed: an MCP endpoint that redirects a POST is a configuration
        // problem the user should see, and Authorization must not leak to another host.
        mcptop_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        mcptop_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        // Through an HTTPS_PROXY, the proxy's "200 Connection established" is not the
        // server's answer: only the server's headers reach the header callback.
        mcptop_easy_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)

        switch r.method {
        case "GET": mcptop_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case "HEAD": mcptop_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
        default:
            mcptop_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, r.method)
        }
        if let body = r.body {
            mcptop_easy_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBufferPointer { buffer in
                // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call.
                let raw = UnsafeMutableRawPointer(mutating: buffer.baseAddress)
                _ = mcptop_easy_setopt_pointer(
                    easy, CURLOPT_COPYPOSTFIELDS, raw ?? UnsafeMutableRawPointer(bitPattern: 1))
            }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in r.headers {
            guard HeaderField.isValidName(name), HeaderField.isValidValue(value) else {
                throw HTTPError(
                    .invalidURL, url: r.url, label: r.label,
                    detail: "header \(TerminalText.sanitized(name)) has a line break or another control character")
            }
            list = curl_slist_append(list, "\(name): \(value)")
        }
        if r.body != nil && r.headers["Expect"] == nil {
            list = curl_slist_append(list, "Expect:")  // no 100-continue round trip
        }
        headerList = list
        if let list { mcptop_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list) }

        let context = Unmanaged.passUnretained(self).toOpaque()
        mcptop_easy_setopt_pointer(easy, CURLOPT_PRIVATE, context)
        mcptop_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        mcptop_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        mcptop_easy_setopt_data_cb(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        mcptop_easy_setopt_data_cb(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        let registry = Unmanaged.passUnretained(sockets).toOpaque()
        mcptop_easy_setopt_pointer(easy, CURLOPT_SOCKOPTDATA, registry)
        mcptop_easy_setopt_sockopt_cb(easy, curlSocketCreated)
        mcptop_easy_setopt_pointer(easy, CURLOPT_CLOSESOCKETDATA, registry)
        mcptop_easy_setopt_closesocket_cb(easy, curlSocketClosing)
        mcptop_easy_setopt_pointer(easy, CURLOPT_PREREQDATA, context)
        mcptop_easy_setopt_prereq_cb(easy, curlBeforeRequest)
    }

    /// A timeout as libcurl's milliseconds, for any Double (a config's or a server's number
    /// may be 1e300, NaN or infinite, and `Int(Double)` traps on those): nil, zero, negative
    /// and NaN are 0, libcurl's "no limit of our own"; anything else at least 1 ms and at
    /// most ten years.
    static func curlMilliseconds(_ seconds: Double?) -> Int {
        guard let seconds, seconds > 0 else { return 0 }
        let tenYears = 315_576_000.0
        return max(1, Int((min(seconds, tenYears) * 1000).rounded(.up)))
    }

    func connectionReady(localPort: Int) {
        socket = sockets.socket(localPort: localPort)
    }

    /// One header line as libcurl hands it over: the status line, a field, or the blank line
    /// ending a block. Parsed as bytes; names and values are ASCII or opaque octets.
    func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        var line = raw[...]
        while let last = line.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: "\n") { line = line.dropLast() }
        if line.starts(with: "HTTP/".utf8) {
            unacknowledged = true
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 2)
            status = fields.count > 1 ? Int(String(decoding: fields[1], as: UTF8.self)) ?? 0 : 0
            responseHeaders = HTTPHeaders()
        } else if line.isEmpty {
            // End of one header block; 1xx blocks are followed by the real one. The head goes
            // out once libcurl is done with what it read (`deliverHead`): a small response's
            // body and end then come with it, one wake-up of the waiting task rather than three.
            if status >= 200 { headReady = true }
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: trimmingWhitespace(line[(colon + 1)...]), as: UTF8.self)
            responseHeaders.add(name, value)
        }
    }

    /// Returns false when the body exceeds its cap, which makes libcurl abort the transfer.
    func receiveBody(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        receivedBytes += bytes.count
        if receivedBytes > request.maxBodyBytes {
            failure = HTTPError(
                .bodyTooLarge(limit: request.maxBodyBytes), url: request.url, label: request.label)
            return false
        }
        unacknowledged = true
        bodyContinuation.yield(Array(bytes))
        return true
    }

    /// Acknowledges at once what arrived for a response still under way: a server that sends
    /// a response in pieces with Nagle's algorithm on waits for our ACK of one piece before
    /// sending the next, and delayed ACKs would make that ~40 ms. A response that is complete
    /// needs no hurry (the next request carries the ACK), which saves the system call and the
    /// ACK packet on every small response.
    func acknowledge() {
        guard unacknowledged else { return }
        unacknowledged = false
        if let socket { mcptop_quick_ack(socket) }
    }

    /// Resumes the task waiting for the head, once the head has been read (the engine calls it
    /// after each round of libcurl's work, and `complete` at the end).
    func deliverHead() {
        guard headReady || finished, let continuation = headContinuation, let body else { return }
        headContinuation = nil
        self.body = nil
        let head = HTTPResponseHead(status: status, headers: responseHeaders)
        continuation.resume(returning: HTTPStreamingResponse(head: head, body: body))
    }

    /// Called once by the engine when libcurl is done with the transfer (or it was cancelled).
    func complete(code: CURLcode) {
        guard !finished else { return }
        finished = true
        if code == CURLE_OK && failure == nil {
            // The body's end first: the task woken by the head then reads it all at once.
            bodyContinuation.finish()
            deliverHead()
            return
        }
        let error = failure ?? HTTPError.from(code: code, request: request, libcurlText: String(cString: errorText))
        if let continuation = headContinuation {
            headContinuation = nil
            continuation.resume(throwing: error)
        }
        bodyContinuation.finish(throwing: error)
    }
}

extension HTTPError {
    static func from(code: CURLcode, request: HTTPRequest, libcurlText: String = "") -> HTTPError {
        let kind: Kind
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: kind = .invalidURL
        case CURLE_COULDNT_RESOLVE_HOST: kind = .couldNotResolveHost
        case CURLE_COULDNT_CONNECT: kind = .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            kind = .tls
        case CURLE_ABORTED_BY_CALLBACK: kind = .cancelled
        case CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_RECV_ERROR: kind = .closedEarly
        default: kind = .transport(code: Int(code.rawValue))
        }
        var detail = kind == .cancelled ? "" : String(cString: curl_easy_strerror(code))
        if kind == .tls, !libcurlText.isEmpty { detail = tlsAdvice(libcurlText, url: request.url) }
        return HTTPError(kind, url: request.url, label: request.label, detail: detail)
    }

    /// A certificate failure in the user's words, with what to do about an unknown authority
    /// (a corporate CA, a TLS-inspecting proxy).
    static func tlsAdvice(_ libcurlText: String, url: String) -> String {
        let host = URLComponents(string: url)?.host ?? url
        let lower = libcurlText.lowercased()
        let unknownAuthority = [
            "unable to get local issuer", "self-signed", "self signed", "unable to verify the first",
        ]
        if unknownAuthority.contains(where: lower.contains) {
            return "the certificate for \(host) is signed by an unknown authority (\(libcurlText)); set "
                + "\"mcptop\": {\"caFile\": \"/path/to/ca.pem\"} in the config or SSL_CERT_FILE to the CA that signed it"
        }
        return "certificate check for \(host) failed: \(libcurlText)"
    }
}

private func transfer(from pointer: UnsafeMutableRawPointer?) -> Transfer? {
    pointer.map { Unmanaged<Transfer>.fromOpaque($0).takeUnretainedValue() }
}

private func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let data, let transfer = transfer(from: context) else { return length }
    transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

private func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let data, let transfer = transfer(from: context) else { return length }
    let ok = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.receiveBody(UnsafeBufferPointer(start: $0, count: length))
    }
    return ok ? length : 0
}

/// The sockets libcurl has open, so a transfer can find its connection's socket (libcurl
/// only says which local port it uses) and acknowledge data at once. Used only from libcurl's
/// callbacks, with the curl engine's lock held, which is what makes the unchecked Sendable safe.
final class SocketRegistry: @unchecked Sendable {
    /// Socket → local port, looked up lazily (the port is not known when the socket is made).
    private var localPorts: [Int32: Int] = [:]

    func opened(_ fd: Int32) { localPorts[fd] = 0 }
    func closed(_ fd: Int32) { localPorts[fd] = nil }

    func socket(localPort: Int) -> Int32? {
        for (fd, port) in localPorts {
            var known = port
            if known <= 0 {
                known = Int(mcptop_local_port(fd))
                localPorts[fd] = known
            }
            if known == localPort { return fd }
        }
        return nil
    }
}

private func registry(from pointer: UnsafeMutableRawPointer?) -> SocketRegistry? {
    pointer.map { Unmanaged<SocketRegistry>.fromOpaque($0).takeUnretainedValue() }
}

private func curlSocketCreated(_ context: UnsafeMutableRawPointer?, _ fd: curl_socket_t, _ purpose: curlsocktype)
    -> Int32
{
    registry(from: context)?.opened(fd)
    return 0  // CURL_SOCKOPT_OK
}

private func curlSocketClosing(_ context: UnsafeMutableRawPointer?, _ fd: curl_socket_t) -> Int32 {
    registry(from: context)?.closed(fd)
    return close(fd)
}

private func curlBeforeRequest(
    _ context: UnsafeMutableRawPointer?, _ primaryIP: UnsafeMutablePointer<CChar>?,
    _ localIP: UnsafeMutablePointer<CChar>?, _ primaryPort: Int32, _ localPort: Int32
) -> Int32 {
    transfer(from: context)?.connectionReady(localPort: Int(localPort))
    return 0  // CURL_PREREQFUNC_OK
}

/// libcurl's multi handle and the transfers on it. libcurl's multi calls are not
/// thread-safe, so each is made with the engine's lock held: by a task that submits a request
/// (which then goes out at once, on that task's thread, when the lock is free) or by the loop
/// thread, when a socket is ready or libcurl's timer is due.
final class CurlEngine {
    let multi: UnsafeMutableRawPointer
    /// Transfers in flight, keyed by their easy handle.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    /// When libcurl wants `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)` next (its timer
    /// callback), in `mcptop_monotonic_ms`; nil when it wants none.
    var timerDue: Int64?
    /// When the loop thread will next wake by itself (set as it goes to wait).
    var loopWakesAt: Int64 = 0

    init(multi: UnsafeMutableRawPointer) {
        self.multi = multi
    }

    func add(_ transfer: Transfer) {
        // Cancelled before it got here: never sent.
        if transfer.cancelRequested.load(ordering: .acquiring) {
            transfer.complete(code: CURLE_ABORTED_BY_CALLBACK)
            return
        }
        active[transfer.easy] = transfer
        curl_multi_add_handle(multi, transfer.easy)  // sets libcurl's timer to now
    }

    /// A transfer not added yet is completed by `add`, which sees `cancelRequested`.
    func cancel(_ transfer: Transfer) {
        guard !transfer.finished, active.removeValue(forKey: transfer.easy) != nil else { return }
        curl_multi_remove_handle(multi, transfer.easy)
        transfer.complete(code: CURLE_ABORTED_BY_CALLBACK)
    }

    /// A socket became ready (`CURL_CSELECT_*` bits).
    func socketReady(_ fd: Int32, _ bits: Int32) {
        var running: Int32 = 0
        curl_multi_socket_action(multi, fd, bits, &running)
    }

    /// Runs libcurl's timer while it is due (a new transfer sets it to now, and each step
    /// of its setup may set it to now again), then hands finished transfers and read
    /// response heads to their tasks.
    func settle() {
        var rounds = 0
        while let due = timerDue, due <= mcptop_monotonic_ms(), rounds < 16 {
            timerDue = nil
            rounds += 1
            var running: Int32 = 0
            curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        }
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, easy)
            active.removeValue(forKey: easy)?.complete(code: code)
        }
        for transfer in active.values {
            transfer.deliverHead()
            transfer.acknowledge()
        }
    }

    /// How long the loop may wait before libcurl's timer is due, in milliseconds, at most
    /// `limit`.
    func millisecondsToTimer(limit: Int64, now: Int64) -> Int64 {
        guard let due = timerDue else { return limit }
        return min(max(due - now, 0), limit)
    }
}

/// The thread that waits for libcurl's sockets (an epoll set that libcurl's socket callback
/// keeps) and its timer. A task submitting a request takes the engine's lock and sends it
/// itself; only when the lock is busy does the request wait in `inbox` for the loop, which
/// an eventfd then wakes.
final class CurlLoop: Sendable {
    private struct Inbox: ~Copyable {
        var added: [Transfer] = []
        var cancelled: [Transfer] = []
    }

    private let engine: Mutex<CurlEngine>
    private let inbox = Mutex(Inbox())
    private let poller: Int32
    private let waker: Int32
    let sockets = SocketRegistry()
    /// The longest the loop waits without a timer due: a timer that another thread sets
    /// further out than this is then seen in time without waking the loop.
    private static let longestWaitMilliseconds: Int64 = 1000

    init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        mcptop_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0)
        mcptop_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 256)
        poller = mcptop_multi_use_epoll(multi)
        waker = poller < 0 ? -1 : mcptop_epoll_add_waker(poller)
        guard poller >= 0, waker >= 0 else { fatalError("epoll for libcurl failed: errno \(errno)") }
        let engine = CurlEngine(multi: multi)
        mcptop_multi_setopt_timer_cb(multi, curlTimerChanged, Unmanaged.passUnretained(engine).toOpaque())
        self.engine = Mutex(engine)
        let thread = Thread { [self] in
            // Named for `top -H`, perf and gdb. Foundation's `name` does not reach the system
            // on Linux, where a thread otherwise keeps the name of the one that started it.
            mcptop_name_this_thread("mcptop-http")
            run()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func submit(_ transfer: Transfer) {
        if work({ $0.add(transfer) }) { return }
        inbox.withLock { $0.added.append(transfer) }
        mcptop_wake(waker)
    }

    func cancel(_ transfer: Transfer) {
        transfer.cancelRequested.store(true, ordering: .releasing)
        if work({ $0.cancel(transfer) }) { return }
        inbox.withLock { $0.cancelled.append(transfer) }
        mcptop_wake(waker)
    }

    /// Does `step` on this thread if the engine is free (false if not), and wakes the loop
    /// when libcurl's timer now falls due before the loop would wake by itself.
    private func work(_ step: (CurlEngine) -> Void) -> Bool {
        let wake = engine.withLockIfAvailable { engine -> Bool in
            step(engine)
            engine.settle()
            guard let due = engine.timerDue else { return false }
            return due < engine.loopWakesAt
        }
        guard let wake else { return false }
        if wake { mcptop_wake(waker) }
        return true
    }

    private func run() {
        var fds = [Int32](repeating: 0, count: 64)
        var ready = [Int32](repeating: 0, count: 64)
        var count = 0
        while true {
            // The waker is read before the inbox: a request that comes in after this wakes
            // the next wait at once.
            if fds[..<count].contains(waker) { mcptop_drain_waker(waker) }
            let (added, cancelled) = inbox.withLock { box -> ([Transfer], [Transfer]) in
                defer {
                    box.added.removeAll(keepingCapacity: true)
                    box.cancelled.removeAll(keepingCapacity: true)
                }
                return (box.added, box.cancelled)
            }
            let timeout = engine.withLock { engine -> Int32 in
                for index in 0..<count where fds[index] != waker {
                    engine.socketReady(fds[index], ready[index])
                }
                for transfer in added { engine.add(transfer) }
                for transfer in cancelled { engine.cancel(transfer) }
                engine.settle()
                let now = mcptop_monotonic_ms()
                let wait = engine.millisecondsToTimer(limit: Self.longestWaitMilliseconds, now: now)
                engine.loopWakesAt = now + wait
                return Int32(wait)
            }
            count = Int(mcptop_epoll_wait(poller, &fds, &ready, Int32(fds.count), timeout))
        }
    }
}

private func curlTimerChanged(
    _ multi: UnsafeMutableRawPointer?, _ milliseconds: Int, _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context else { return 0 }
    let engine = Unmanaged<CurlEngine>.fromOpaque(context).takeUnretainedValue()
    engine.timerDue = milliseconds < 0 ? nil : mcptop_monotonic_ms() + Int64(milliseconds)
    return 0
}
