import Foundation
import Support
import Synchronization
import Testing

@testable import Bridge
@testable import MCPClient

/// A tracer that keeps its operation in a task-local value, as swift-distributed-tracing's
/// `withSpan` keeps its span in `ServiceContext.current`, and records what it was told.
final class RecordingTracer: BridgeTracing {
    @TaskLocal static var current: String?
    struct Traced: Sendable {
        var operation: BridgedOperation
        var answer: BridgedOperation.Answer
    }
    let traced = Mutex<[Traced]>([])

    func trace(_ operation: BridgedOperation, _ body: @Sendable () async -> BridgedOperation.Answer) async
        -> JSONRPCMessage
    {
        let answer = await Self.$current.withValue("\(operation.method) #\(operation.requestID)") { await body() }
        traced.withLock { $0.append(Traced(operation: operation, answer: answer)) }
        return answer.message
    }
}

@Suite struct BridgeTracingTests {
    @Test func eachRequestIsTracedAndTheUpstreamRunsInsideItsContext() async throws {
        let seen = Mutex<[String?]>([])
        let upstream = FakeUpstream(info: ProxySessionTests.statelessRemote) {
            _, params throws(MCPError) -> JSONValue in
            // Where a refresh would run: the token manager, in the forwarding task.
            seen.withLock { $0.append(RecordingTracer.current) }
            if params?["name"] == "fails" {
                throw MCPError(server: "acme", .rpc(JSONRPCError(code: -32602, message: "no")))
            }
            return ["content": []]
        }
        let tracer = RecordingTracer()
        let client = ClientSide()
        let proxy = ProxySession(
            serverName: "acme", upstream: upstream, tracing: tracer, send: { await client.append($0) })
        let requests: [(JSONRPCID, String, JSONValue)] = [
            (
                .number(1), "initialize",
                ["protocolVersion": "2025-11-25", "clientInfo": ["name": "inspector", "version": "1"]]
            ),
            (.string("c"), "tools/call", ["name": "echo", "arguments": ["text": "hi"]]),
            (.number(3), "resources/read", ["uri": "file:///notes.md"]),
            (.number(4), "tools/call", ["name": "fails"]),
        ]
        for (id, method, params) in requests {
            await proxy.receive(.request(id: id, method: method, params: params))
            // In order: the revision and the client's name are known after initialize.
            #expect(await eventually { await client.reply(to: id) != nil })
        }
        #expect(
            seen.withLock { $0 }.sorted { ($0 ?? "") < ($1 ?? "") }
                == ["resources/read #3", "tools/call #4", "tools/call #c"],
            "each upstream request runs in its own operation's task-local context")
        let traced = tracer.traced.withLock { $0 }
        let byID = Dictionary(uniqueKeysWithValues: traced.map { ($0.operation.requestID, $0) })
        #expect(byID["1"]?.operation == BridgedOperation(server: "acme", method: "initialize", requestID: "1"))
        #expect(byID["1"]?.answer.protocolVersion == "2025-11-25", "the revision agreed by the end of initialize")
        #expect(byID["1"]?.answer.clientName == "inspector")
        #expect(
            byID["c"]?.operation
                == BridgedOperation(server: "acme", method: "tools/call", requestID: "c", target: "echo"))
        #expect(
            byID["3"]?.operation
                == BridgedOperation(
                    server: "acme", method: "resources/read", requestID: "3", resourceURI: "file:///notes.md"))
        guard case .error(_, let error)? = byID["4"]?.answer.message else {
            Issue.record("the failed call's answer is an error")
            return
        }
        #expect(error.code == -32602, "the tracer sees the answer the client gets")
    }
}
