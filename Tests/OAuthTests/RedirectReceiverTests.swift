import HTTP
import OAuth
import Testing

/// The loopback listener a browser login comes back to (RFC 8252 §7.3).
@Suite struct RedirectReceiverTests {
    func get(_ url: String) async throws -> Int {
        try await HTTPClient.shared.send(HTTPRequest(method: "GET", url: url)).status
    }

    @Test func aRequestWithoutTheLoginsStateIsRefusedAndTheLoginKeepsWaiting() async throws {
        let receiver = RedirectReceiver(port: 0)
        let port = try await receiver.start()
        receiver.expect(state: "the-real-state")
        // A forged request (another page, an old tab): 400, and the login does not end with it.
        #expect(try await get("http://127.0.0.1:\(port)/callback?code=forged&state=guessed") == 400)
        #expect(try await get("http://127.0.0.1:\(port)/callback?code=forged") == 400)
        #expect(try await get("http://127.0.0.1:\(port)/callback?code=real&state=the-real-state") == 200)
        let received = try await receiver.wait(timeout: .seconds(5))
        #expect(received.first { $0.0 == "code" }?.1 == "real")
        await receiver.stop()
    }
}
