import Foundation
import MCPClient
import Support
import Synchronization

/// What the remote asks a bridge's client mid-request (sampling, elicitation, roots), and how
/// each revision carries it: a stateful client is asked with a request of the proxy's own on
/// the request's stream; a 2026-07-28 client gets an `input_required` result and answers by
/// retrying its request (2026-07-28 mrtr.mdx). A stateful remote's request then waits, parked
/// under a `requestState` of the bridge's own, for that retry.
enum ClientQuestions {
    /// The client capability a server request needs (2025-11-25 schema.ts, ClientCapabilities).
    static func capability(for method: String) -> String? {
        switch method {
        case "sampling/createMessage": return "sampling"
        case "elicitation/create": return "elicitation"
        case "roots/list": return "roots"
        default: return nil
        }
    }

    /// The client's capabilities a remote may use through the bridge: sampling, elicitation
    /// and roots, as the client declared them; nothing else (`experimental`, `tasks`).
    static func bridged(_ capabilities: JSONValue?) -> JSONValue {
        guard case .object(let declared)? = capabilities else { return [:] }
        return .object(declared.filter { capability(forKey: $0.key) })
    }

    /// Every capability a bridge can relay, for an upstream shared by clients that differ
    /// (`mcptop serve`): a client without one gets the remote's question declined.
    static let all: JSONValue = ["sampling": [:], "elicitation": ["form": [:], "url": [:]], "roots": [:]]

    private static func capability(forKey key: String) -> Bool {
        ["sampling", "elicitation", "roots"].contains(key)
    }

    /// Rounds of `input_required` a bridge answers for a stateful client before giving up (the
    /// SDKs' default cap, mcp/client/_input_required.py and typescript-sdk).
    static let maxRounds = 10

    /// How long a question may wait for the client's answer (a person may be typing it).
    static let answerDeadline: Duration = .seconds(600)
}

/// One upstream request whose questions a 2026-07-28 client answers by retrying: it runs in a
/// task of its own, beyond any one of the client's requests, and reports either a question
/// or its outcome, whichever comes first.
final class ForwardedRequest: Sendable {
    enum Event: Sendable {
        case question(key: String, method: String, params: JSONValue?)
        case finished(Result<JSONValue, MCPError>)
    }

    private struct State {
        var events: [Event] = []
        var consumer: CheckedContinuation<Event, Never>?
        var answers: [String: CheckedContinuation<Result<JSONValue, JSONRPCError>, Never>] = [:]
        var asked = 0
        /// Where the request's notifications go: the client's request of the current round.
        var sink: @Sendable (JSONRPCMessage) -> Void
        var work: Task<Void, Never>?
    }

    private let state: Mutex<State>

    init(sink: @escaping @Sendable (JSONRPCMessage) -> Void) {
        state = Mutex(State(sink: sink))
    }

    /// Starts the upstream request; `run` receives where to send notifications and questions.
    func start(
        _ run:
            @escaping @Sendable (
                _ notify: @escaping @Sendable (JSONRPCMessage) -> Void, _ ask: @escaping ServerRequestHandler
            ) async throws(MCPError) -> JSONValue
    ) {
        let task = Task {
            let outcome: Result<JSONValue, MCPError>
            do throws(MCPError) {
                outcome = .success(try await run({ self.notify($0) }, { await self.ask($0, $1) }))
            } catch {
                outcome = .failure(error)
            }
            self.post(.finished(outcome))
        }
        state.withLock { $0.work = task }
    }

    /// The next question or the outcome. Cancelling the caller cancels the upstream request.
    func next() async -> Event {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Event? in
                    if !state.events.isEmpty { return state.events.removeFirst() }
                    state.consumer = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// The client's retry: its answers to the questions asked, and where notifications go now.
    func resume(answers: JSONValue?, sink: @escaping @Sendable (JSONRPCMessage) -> Void) {
        let waiting = state.withLock { state in
            state.sink = sink
            defer { state.answers = [:] }
            return state.answers
        }
        for (key, continuation) in waiting {
            if let answer = answers?[key] {
                continuation.resume(returning: .success(answer))
            } else {
                continuation.resume(
                    returning: .failure(
                        JSONRPCError(code: JSONRPCError.invalidParams, message: "the client gave no answer to \(key)")))
            }
        }
    }

    /// The client is gone or never came back: the upstream request is cancelled.
    func cancel() {
        let (work, waiting) = state.withLock { state in
            defer { state.answers = [:] }
            return (state.work, state.answers)
        }
        work?.cancel()
        for continuation in waiting.values {
            continuation.resume(
                returning: .failure(JSONRPCError(code: JSONRPCError.internalError, message: "the client went away")))
        }
    }

    private func notify(_ message: JSONRPCMessage) {
        state.withLock { $0.sink }(message)
    }

    private func ask(_ method: String, _ params: JSONValue?) async -> Result<JSONValue, JSONRPCError> {
        await withCheckedContinuation { continuation in
            let key = state.withLock { state -> String in
                state.asked += 1
                let key = "mcptop-\(state.asked)"
                state.answers[key] = continuation
                return key
            }
            post(.question(key: key, method: method, params: params))
        }
    }

    private func post(_ event: Event) {
        let consumer = state.withLock { state -> CheckedContinuation<Event, Never>? in
            guard let consumer = state.consumer else {
                state.events.append(event)
                return nil
            }
            state.consumer = nil
            return consumer
        }
        consumer?.resume(returning: event)
    }
}

/// Upstream requests waiting for a 2026-07-28 client's retry, by the `requestState` the bridge
/// gave the client. Shared by every client of one upstream, since a stateless client's retry
/// is a request of its own. A state is unguessable, good for one retry, and expires: the
/// request is then cancelled.
public final class ParkedRequests: Sendable {
    private let parked = Mutex<[String: ForwardedRequest]>([:])
    private let lifetime: Duration

    public init(lifetime: Duration = .seconds(600)) {
        self.lifetime = lifetime
    }

    func park(_ request: ForwardedRequest) -> String {
        let key = "mcptop-bridge:" + Base64URL.encode(Data((0..<24).map { _ in UInt8.random(in: .min ... .max) }))
        parked.withLock { $0[key] = request }
        let lifetime = self.lifetime
        Task { [weak self] in
            try? await Task.sleep(for: lifetime)
            self?.take(key)?.cancel()
        }
        return key
    }

    @discardableResult
    func take(_ key: String) -> ForwardedRequest? {
        parked.withLock { $0.removeValue(forKey: key) }
    }

    /// Every parked request is cancelled (the bridge stops).
    public func cancelAll() {
        let all = parked.withLock { parked in
            defer { parked = [:] }
            return Array(parked.values)
        }
        for request in all { request.cancel() }
    }
}
