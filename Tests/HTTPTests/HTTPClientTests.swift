import DemoServer
import Foundation
import HTTP
import Support
import Testing

@Suite struct HTTPClientTests {
    static func slowCall(_ url: String, steps: Int, delayMs: Int) -> HTTPRequest {
        let body = """
            {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"steps":\(steps),"delayMs":\(delayMs)},\
            "_meta":{"progressToken":"p","io.modelcontextprotocol/protocolVersion":"2026-07-28",\
            "io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}
            """
        var request = HTTPRequest(method: "POST", url: url, body: Array(body.utf8), timeout: nil)
        request.headers.add("Content-Type", "application/json")
        request.headers.add("Accept", "application/json, text/event-stream")
        request.headers.add("MCP-Protocol-Version", "2026-07-28")
        request.headers.add("Mcp-Method", "tools/call")
        request.headers.add("Mcp-Name", "slow")
        return request
    }

    func withServer(_ body: (DemoServer) async throws -> Void) async throws {
        let server = DemoServer()
        _ = try await server.start()
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// The thread that owns libcurl's multi handle is findable by name (`top -H`, perf, gdb).
    @Test func theLibcurlThreadIsNamed() async throws {
        _ = HTTPClient.shared  // started once per process
        var names: [String] = []
        for _ in 0..<100 {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            names = tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            if names.contains("mcptop-http\n") { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no thread named mcptop-http among \(names)")
    }

    @Test func streamsABodyAsItArrives() async throws {
        try await withServer { server in
            let response = try await HTTPClient.shared.stream(Self.slowCall(server.url, steps: 3, delayMs: 100))
            #expect(response.status == 200)
            #expect(response.head.mediaType == "text/event-stream")
            var chunks = 0
            var text = ""
            for try await chunk in response.body {
                chunks += 1
                text += String(decoding: chunk, as: UTF8.self)
            }
            #expect(chunks >= 3, "progress events arrive one by one, not buffered")
            #expect(text.contains("done after 3 steps"))
        }
    }

    @Test func droppingTheBodyCancelsTheTransferAtOnce() async throws {
        try await withServer { server in
            let response = try await HTTPClient.shared.stream(Self.slowCall(server.url, steps: 100, delayMs: 50))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            let task = Task { for try await _ in response.body {} }
            task.cancel()
            _ = await task.result
            for _ in 0..<100 where server.stats().cancellations == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.stats().cancellations == 1)
        }
    }

    /// A reader that stops half-way and lets the response go, without cancelling its task.
    @Test func droppingAHalfReadBodyCancelsTheTransfer() async throws {
        try await withServer { server in
            do {
                let response = try await HTTPClient.shared.stream(Self.slowCall(server.url, steps: 100, delayMs: 50))
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()
            }
            for _ in 0..<100 where server.stats().cancellations == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.stats().cancellations == 1)
        }
    }

    @Test func cancellingBeforeTheHeadArrivesThrowsCancelled() async throws {
        try await withServer { server in
            server.setOptions { $0.responseMode = .json }  // JSON: the head comes with the result
            let task = Task { try await HTTPClient.shared.send(Self.slowCall(server.url, steps: 100, delayMs: 50)) }
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            task.cancel()
            let result = await task.result
            // The call would take 5 s; 3 s leaves room for a loaded machine (1 s failed once in
            // a fresh-clone CI run at 1.39 s).
            #expect(ContinuousClock.now - started < .seconds(3))
            guard case .failure(let error as HTTPError) = result else {
                Issue.record("expected cancellation, got \(result)")
                return
            }
            #expect(error.kind == .cancelled)
        }
    }

    @Test func totalTimeoutAndBodyCapAreEnforced() async throws {
        try await withServer { server in
            var slow = Self.slowCall(server.url, steps: 100, delayMs: 50)
            slow.timeout = 0.3
            slow.label = "demo"
            await #expect { try await HTTPClient.shared.send(slow) } throws: { error in
                (error as? HTTPError)?.kind == .timeout && "\(error)".hasPrefix("demo: timed out talking to ")
            }
            var capped = Self.slowCall(server.url, steps: 3, delayMs: 1)
            capped.maxBodyBytes = 64
            await #expect { try await HTTPClient.shared.send(capped) } throws: { error in
                (error as? HTTPError)?.kind == .bodyTooLarge(limit: 64)
            }
        }
    }

    @Test func manyConcurrentRequestsShareTheLoop() async throws {
        try await withServer { server in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await HTTPClient.shared.send(Self.slowCall(server.url, steps: 2, delayMs: 20)).status
                    }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                #expect(statuses == Array(repeating: 200, count: 40))
            }
        }
    }

    @Test func refusedConnectionIsTyped() async throws {
        await #expect { try await HTTPClient.shared.send(HTTPRequest(url: "http://127.0.0.1:1/x")) } throws: { error in
            (error as? HTTPError)?.kind == .couldNotConnect
        }
        await #expect { try await HTTPClient.shared.send(HTTPRequest(url: "file:///etc/passwd")) } throws: { error in
            (error as? HTTPError)?.kind == .invalidURL
        }
    }

    /// A stream cut in the middle of its chunked body (the demo server's `cutStream`) is said
    /// to have closed early, not "curl 18".
    @Test func aBodyCutShortIsTyped() async throws {
        try await withServer { server in
            server.setOptions { $0.misbehaviour = .cutStream }
            let request = Self.slowCall(server.url, steps: 1, delayMs: 1)
            await #expect {
                let response = try await HTTPClient.shared.stream(request)
                _ = try await response.collect()
            } throws: { error in
                guard let error = error as? HTTPError else { return false }
                return error.kind == .closedEarly
                    && error.description.contains("closed before the answer was complete")
            }
        }
    }

    /// Refused before anything is sent (the port is closed, so a connection error would mean
    /// the header went out). "\r\n" is one Character: the check must look at bytes.
    @Test(arguments: ["a\r\nInjected: yes", "a\rb", "a\nb", "a\u{0}b", "a\u{1B}b"])
    func headerValuesWithLineBreaksOrControlsAreRefused(value: String) async throws {
        var request = HTTPRequest(url: "http://127.0.0.1:1/")
        request.headers.add("X-Bad", value)
        await #expect { try await HTTPClient.shared.send(request) } throws: { error in
            (error as? HTTPError)?.detail.contains("control character") == true
        }
    }

    @Test func headerNamesMustBeTokens() async throws {
        for name in ["X-Bad\r\nInjected", "X Bad", "X:Bad", ""] {
            var request = HTTPRequest(url: "http://127.0.0.1:1/")
            request.headers.add(name, "v")
            await #expect { try await HTTPClient.shared.send(request) } throws: { error in
                (error as? HTTPError)?.detail.contains("control character") == true
            }
        }
        #expect(HeaderField.isValidName("X-Api_Key.v2"))
        #expect(HeaderField.isValidValue("Bearer abc\tdef é"))
    }
}
