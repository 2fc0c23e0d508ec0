import Foundation
import Hummingbird
import LocalServer
import Synchronization

/// A loopback MCP server for tests and demos.
///
/// It speaks the stateless 2026-07-28 Streamable HTTP transport, the stateful 2025-03-26 …
/// 2025-11-25 one (`initialize` + `Mcp-Session-Id`) and the 2024-11-05 HTTP+SSE transport,
/// and can be told to misbehave. It parses JSON with Foundation's `JSONSerialization`, not with
/// the client's code, so client JSON bugs are not mirrored here.
public final class DemoServer: Sendable {
    /// A GET /sse stream of the 2024-11-05 transport.
    struct LegacySession: Sendable {
        /// SSE text to write on the stream.
        let events: AsyncStream<String>.Continuation
    }

    /// A running `tools/call`.
    struct InFlight: Sendable {
        let session: String
        let flag: CancellationFlag
        let cancel: @Sendable () -> Void
    }

    struct State: Sendable {
        var options: DemoServerOptions
        var stats = DemoServerStats()
        /// Stateful session id → negotiated protocol version.
        var sessions: [String: String] = [:]
        var legacySessions: [String: LegacySession] = [:]
        /// "<session>|<request id JSON>" → call.
        var inFlight: [String: InFlight] = [:]
        /// Keys of calls already counted as cancelled (so a late notifications/cancelled for
        /// them is not counted twice).
        var cancelledKeys: Set<String> = []
        var port = 0
        var server: LocalServer?
        /// The embedded OAuth authorization server (AuthorizationServer.swift); kept across stop().
        var auth = AuthorizationState()
    }

    let state: Mutex<State>

    /// Keep-alive interval of GET /sse streams.
    static let keepAliveInterval: Duration = .seconds(15)
    /// Largest request body accepted.
    static let maxBodySize = 8 * 1024 * 1024

    public init(options: DemoServerOptions = DemoServerOptions()) {
        state = Mutex(State(options: options))
    }

    // MARK: Public API

    /// Binds 127.0.0.1 only. `port` 0 picks any free port. Returns the bound port. Can be called
    /// again after ``stop()``, with the same port. Calling it while running returns the port.
    public func start(port: Int = 0) async throws -> Int {
        let router = makeRouter()  // reads the options under the lock
        let (server, running) = state.withLock { state -> (LocalServer, Bool) in
            if let server = state.server { return (server, true) }
            let server = LocalServer(router: router, host: "127.0.0.1", port: port, label: "demo-server")
            state.server = server
            return (server, false)
        }
        if running { return state.withLock { $0.port } }
        do {
            let bound = try await server.listening()
            state.withLock { $0.port = bound }
            return bound
        } catch {
            await stop()
            throw error
        }
    }

    /// Stops listening, closes every connection and forgets all sessions. Stats are kept.
    public func stop() async {
        let server = state.withLock { state in
            defer { state.server = nil }
            return state.server
        }
        guard let server else { return }
        await server.stop()
        let leftovers = state.withLock { state in
            state.sessions.removeAll()
            let legacy = Array(state.legacySessions.values)
            state.legacySessions.removeAll()
            let calls = Array(state.inFlight.values)
            return (legacy, calls)
        }
        for session in leftovers.0 {
            session.events.finish()
        }
        for call in leftovers.1 {
            call.cancel()
        }
    }

    /// The Streamable HTTP endpoint, `http://127.0.0.1:PORT/mcp`.
    public var url: String {
        "http://127.0.0.1:\(state.withLock { $0.port })/mcp"
    }

    /// The 2024-11-05 HTTP+SSE endpoint, `http://127.0.0.1:PORT/sse`.
    public var legacySSEURL: String {
        "http://127.0.0.1:\(state.withLock { $0.port })/sse"
    }

    /// Forgets every stateful session: the next request with an old `Mcp-Session-Id` gets 404.
    public func forgetSessions() {
        state.withLock { $0.sessions.removeAll() }
    }

    /// Changes behaviour while running; takes effect with the next request.
    public func setOptions(_ change: @Sendable (inout DemoServerOptions) -> Void) {
        state.withLock { change(&$0.options) }
    }

    public func stats() -> DemoServerStats {
        state.withLock { $0.stats }
    }

    // MARK: Bookkeeping

    var options: DemoServerOptions {
        state.withLock { $0.options }
    }

    func record(_ message: RPCMessage) {
        state.withLock { state in
            state.stats.requests += 1
            state.stats.methods[message.method, default: 0] += 1
        }
    }

    /// Counts one cancelled call, once.
    func countCancellation(key: String, flag: CancellationFlag) {
        guard flag.claim() else { return }
        state.withLock { state in
            state.stats.cancellations += 1
            if state.cancelledKeys.count > 1000 {
                state.cancelledKeys.removeAll()
            }
            state.cancelledKeys.insert(key)
        }
    }

    /// `notifications/cancelled`: counts it and cancels the matching call of the session.
    func handleNotification(_ message: RPCMessage, session: String) {
        guard message.method == "notifications/cancelled" else { return }
        let requestID = message.params["requestId"]?.serialized() ?? ""
        let key = "\(session)|\(requestID)"
        let call: InFlight? = state.withLock { state in
            if let call = state.inFlight[key], call.flag.claim() {
                state.stats.cancellations += 1
                state.cancelledKeys.insert(key)
                return call
            }
            if !state.cancelledKeys.contains(key) {
                state.stats.cancellations += 1
            }
            return state.inFlight[key]
        }
        call?.cancel()
    }

    /// Cancels the calls still running in a session that has ended.
    func cancelCalls(session: String) {
        let calls = state.withLock { state in
            state.inFlight.values.filter { $0.session == session }
        }
        for call in calls {
            call.cancel()
        }
    }

    /// Runs `tools/call` and returns the JSON-RPC response, or nil when the call was cancelled.
    ///
    /// - Parameters:
    ///   - session: Key of the session the call belongs to ("" when stateless).
    ///   - progress: Whether progress notifications may be sent.
    ///   - emit: Sends a notification related to this call.
    func runToolCall(
        _ message: RPCMessage, era: Era, session: String, progress: Bool,
        emit: @escaping @Sendable (JSONValue) -> Void
    ) async -> JSONValue? {
        guard let name = message.params["name"]?.stringValue else {
            return rpcError(
                id: message.id, code: ErrorCode.invalidParams,
                message: "Invalid params: missing tool name")
        }
        let arguments: [String: JSONValue]
        switch message.params["arguments"] {
        case nil, .null?: arguments = [:]
        case .object(let value)?: arguments = value
        default:
            return rpcError(
                id: message.id, code: ErrorCode.invalidParams,
                message: "Invalid params: arguments must be an object")
        }
        let key = "\(session)|\(message.idKey)"
        let flag = CancellationFlag()
        let token = progress ? message.meta["progressToken"] : nil
        let context = ToolContext(
            progressToken: token.flatMap { $0.isNull ? nil : $0 },
            emit: emit,
            cancelled: { [self] in countCancellation(key: key, flag: flag) }
        )
        let work = Task {
            await DemoTools.call(name: name, arguments: arguments, context: context)
        }
        state.withLock { state in
            state.inFlight[key] = InFlight(session: session, flag: flag, cancel: { work.cancel() })
        }
        let outcome = await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
        state.withLock { state in
            if state.inFlight[key]?.flag === flag {
                state.inFlight[key] = nil
            }
        }
        switch outcome {
        case .result(let result):
            return rpcResult(id: message.id, Self.finish(result, era: era))
        case .unknownTool(let name):
            return rpcError(
                id: message.id, code: ErrorCode.invalidParams, message: "Unknown tool: \(name)")
        case .cancelled:
            return nil
        }
    }
}
