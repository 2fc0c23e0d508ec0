import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// A loopback HTTP server whose answers a test sets per path, recording what was asked.
final class StubServer: Sendable {
    struct Answer: Sendable {
        var status: Int
        var body: String
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        /// How long the server takes to answer (a slow token endpoint).
        var delay: Duration = .zero
    }

    struct Request: Sendable {
        var method: String
        var path: String
        var body: String
    }

    private let answers = Mutex<[String: @Sendable (Request) -> Answer]>([:])
    private let log = Mutex<[Request]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let boundPort = Mutex(0)
    var port: Int { boundPort.withLock { $0 } }

    var base: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { log.withLock { $0 } }
    var paths: [String] { requests.map(\.path) }

    func on(_ path: String, _ answer: @escaping @Sendable (Request) -> Answer) {
        answers.withLock { $0[path] = answer }
    }

    func on(_ path: String, status: Int = 200, json: String) {
        on(path) { _ in Answer(status: status, body: json) }
    }

    func start() async throws {
        let router = Router()
        let handler: @Sendable (Hummingbird.Request, BasicRequestContext) async throws -> Response = {
            [self] request, _ in
            var body = ""
            for try await buffer in request.body { body += String(buffer: buffer) }
            let recorded = Request(method: request.method.rawValue, path: request.uri.path, body: body)
            log.withLock { $0.append(recorded) }
            guard let answer = answers.withLock({ $0[request.uri.path] }) else {
                return Response(status: .notFound)
            }
            let reply = answer(recorded)
            if reply.delay > .zero { try await Task.sleep(for: reply.delay) }
            var headers = HTTPFields()
            for (name, value) in reply.headers {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            return Response(
                status: .init(code: reply.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: reply.body)))
        }
        router.get("**", use: handler)
        router.post("**", use: handler)
        let (ready, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "stub")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        task.withLock { $0 = Task { try? await app.run() } }
        for await bound in ready {
            boundPort.withLock { $0 = bound }
            return
        }
    }

    func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
    }
}

/// Runs `body` with a started stub server, stopping it afterwards.
func withStub<T>(_ body: (StubServer) async throws -> T) async throws -> T {
    let stub = StubServer()
    try await stub.start()
    do {
        let result = try await body(stub)
        await stub.stop()
        return result
    } catch {
        await stub.stop()
        throw error
    }
}
