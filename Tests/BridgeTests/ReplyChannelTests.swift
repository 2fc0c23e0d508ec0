import Support
import Testing

@testable import Bridge
@testable import MCPClient

/// How `mcptop serve` answers one request: JSON when the answer comes alone and soon, else an SSE
/// stream with the answer last.
@Suite struct ReplyChannelTests {
    let answer = JSONRPCMessage.response(id: .number(1), result: ["ok": true])
    let progress = JSONRPCMessage.notification(method: "notifications/progress", params: ["progress": 1])

    func collect(_ items: AsyncStream<ReplyChannel.Item>) async -> [String] {
        var seen: [String] = []
        for await item in items {
            switch item {
            case .message(let message): seen.append(message.method ?? "?")
            case .answer(let message): seen.append(message == nil ? "no answer" : "answer")
            case .heartbeat: seen.append("heartbeat")
            }
        }
        return seen
    }

    @Test func anAnswerAloneAndSoonIsJSON() async {
        let reply = ReplyChannel()
        reply.send(.heartbeat)  // not yet streaming: dropped
        reply.send(.answer(answer))
        guard case .json(let sent?) = await reply.decide(within: 5) else {
            Issue.record("expected JSON")
            return
        }
        #expect(sent == answer)
    }

    @Test func somethingBeforeTheAnswerMakesAStreamWithTheAnswerLast() async {
        let reply = ReplyChannel()
        let decision = Task { await reply.decide(within: 5) }
        reply.send(.message(progress))
        guard case .stream(let items) = await decision.value else {
            Issue.record("expected a stream")
            return
        }
        reply.send(.heartbeat)
        reply.send(.answer(answer))
        #expect(await collect(items) == ["notifications/progress", "heartbeat", "answer"])
    }

    @Test func aLongWaitMakesAStreamThatCarriesHeartbeats() async {
        let reply = ReplyChannel()
        guard case .stream(let items) = await reply.decide(within: 0.01) else {
            Issue.record("expected a stream")
            return
        }
        reply.send(.heartbeat)
        reply.send(.answer(nil))  // cancelled: the stream ends without an answer
        #expect(await collect(items) == ["heartbeat", "no answer"])
    }
}
