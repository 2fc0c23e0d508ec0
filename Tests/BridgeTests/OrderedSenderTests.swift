import Synchronization
import Testing

@testable import Bridge
@testable import MCPClient

@Suite struct OrderedSenderTests {
    @Test func whatComesBeforeTheAnswerIsSentInOrderBeforeFinishReturns() async {
        let sent = Mutex<[JSONRPCMessage]>([])
        let sender = OrderedSender { message in
            try? await Task.sleep(for: .milliseconds(1))  // a slow client pipe
            sent.withLock { $0.append(message) }
        }
        let messages = (0..<50).map {
            JSONRPCMessage.notification(method: "notifications/progress", params: ["progress": .int(Int64($0))])
        }
        for message in messages { sender.yield(message) }
        await sender.finish()
        #expect(sent.withLock { $0 } == messages)
        sender.yield(.notification(method: "notifications/progress", params: ["progress": 99]))
        #expect(sender.end() != nil)
        await sender.finish()
        #expect(sent.withLock { $0.count } == 50, "nothing is taken after the end")
    }

    @Test func aRequestWithNothingBeforeItsAnswerStartsNoTask() async {
        let sender = OrderedSender { _ in Issue.record("nothing was sent") }
        #expect(sender.end() == nil)
        await sender.finish()
    }
}
