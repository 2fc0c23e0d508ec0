import Foundation
import Hummingbird
import LocalServer
import Support
import Synchronization

/// The one-shot HTTP listener on 127.0.0.1 that receives the authorization response
/// (RFC 8252 §7.3, loopback redirect). It answers only its exact path, shows a short page, and
/// stops after the first response it accepts.
public final class RedirectReceiver: Sendable {
    public let path: String
    private let requestedPort: Int
    private struct State {
        var server: LocalServer?
        var port = 0
        var waiter: CheckedContinuation<[(String, String)], Error>?
        var received: [(String, String)]?
        /// The `state` of the login under way: a request to the path without it is not the
        /// browser coming back from that login.
        var expectedState: String?
    }
    private let state = Mutex(State())

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `port` 0 picks a free port; a registered redirect URI needs its exact port.
    public init(port: Int, path: String = "/callback") {
        requestedPort = port
        self.path = path
    }

    /// The redirect URI to register and send: `http://127.0.0.1:PORT/callback`.
    public var redirectURI: String { "http://127.0.0.1:\(state.withLock { $0.port })\(path)" }

    public func start() async throws -> Int {
        let router = Router()
        router.get(RouterPath(path)) { [self] request, _ -> Response in
            let query = request.uri.query.map { FormEncoding.decode($0) } ?? []
            let expected = state.withLock { $0.expectedState }
            if let expected, query.first(where: { $0.0 == "state" })?.1 != expected {
                // A forged or stale request (another page, an old tab) neither ends the login
                // nor reads as its outcome: the real redirect may still come (issue 17, finding 6).
                return page(.badRequest, "Not the login mcptop is waiting for")
            }
            let accepted = deliver(query)
            let failed = query.contains { $0.0 == "error" }
            let title = !accepted ? "Already received" : failed ? "Login was not completed" : "Logged in"
            return page(.ok, title)
        }
        let server = LocalServer(router: router, host: "127.0.0.1", port: requestedPort, label: "mcptop.redirect")
        state.withLock { $0.server = server }
        do {
            let port = try await server.listening()
            state.withLock { $0.port = port }
            return port
        } catch {
            throw StartError(
                description: "cannot listen on 127.0.0.1:\(requestedPort) for the login redirect: \(error)")
        }
    }

    /// The login under way sends this `state`; other requests to the path are refused (400).
    public func expect(state expected: String) {
        state.withLock { $0.expectedState = expected }
    }

    private func page(_ status: HTTPResponse.Status, _ title: String) -> Response {
        let body = """
            <!doctype html><html><head><meta charset="utf-8"><title>mcptop</title></head>
            <body style="font-family: sans-serif; margin: 3em"><h1>\(title)</h1>
            <p>You may close this tab and return to mcptop.</p></body></html>
            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Waits for the browser to arrive, up to `timeout`.
    public func wait(timeout: Duration) async throws -> [(String, String)] {
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { fail(StartError(description: "no answer from the browser within \(timeout)")) }
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> [(String, String)]? in
                    if let received = state.received { return received }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            fail(CancellationError())
        }
    }

    /// The address the browser ended on, pasted by the user when the browser could not reach
    /// this listener (over SSH): taken like the browser's own request if it is this redirect
    /// URI with a query. `state` and `iss` are checked by the login as for the browser.
    public func paste(_ text: String) -> Bool {
        guard let components = URLComponents(string: text.trimmed()), components.path == path,
            let host = components.host, EndpointPolicy.isLoopback(host), let query = components.percentEncodedQuery,
            !query.isEmpty
        else { return false }
        return deliver(FormEncoding.decode(query))
    }

    private func deliver(_ query: [(String, String)]) -> Bool {
        let waiter = state.withLock { state -> CheckedContinuation<[(String, String)], Error>?? in
            guard state.received == nil else { return .none }
            state.received = query
            defer { state.waiter = nil }
            return .some(state.waiter)
        }
        guard case .some(let continuation) = waiter else { return false }
        continuation?.resume(returning: query)
        return true
    }

    private func fail(_ error: Error) {
        let waiter = state.withLock { state in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    public func stop() async {
        let server = state.withLock { state in
            defer { state.server = nil }
            return state.server
        }
        // Give the browser its page before the listener goes away.
        try? await Task.sleep(for: .milliseconds(100))
        await server?.stop()
    }
}
