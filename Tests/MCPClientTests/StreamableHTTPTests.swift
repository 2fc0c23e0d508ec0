import DemoServer
import Foundation
import MCPClient
import Support
import Testing

@Suite struct StreamableHTTPTests {
    @Test(arguments: ["2025-11-25", "2025-06-18", "2025-03-26", "2026-07-28"])
    func listsAndCallsToolsOnEveryRevision(_ version: String) async throws {
        try await withDemoServer { server in
            let connection = MCPConnection(endpoint: endpoint(server, version: version))
            let info = try await connection.connect()
            #expect(info.protocolVersion == version)
            #expect(info.transport == .streamableHTTP)
            #expect((info.sessionID != nil) == !ProtocolVersion.isModern(version))
            let tools = try await connection.listTools()
            #expect(Set(tools.map(\.name)).isSuperset(of: ["echo", "add", "slow", "fail", "configure", "image"]))
            #expect(server.stats().methods["tools/list", default: 0] >= 2, "page size 3 forces pagination")
            let echo = try await connection.callTool("echo", arguments: ["text": "héllo 世界"])
            #expect(echo.summaryLines == ["héllo 世界"])
            #expect(!echo.isError)
            let sum = try await connection.callTool("add", arguments: ["a": 2, "b": 3.5])
            #expect(sum.structuredContent?["sum"]?.doubleValue == 5.5)
            let failure = try await connection.callTool("fail", arguments: ["reason": "because"])
            #expect(failure.isError)
            #expect(failure.summaryLines.first?.contains("because") == true)
            let image = try await connection.callTool("image")
            #expect(image.summaryLines.first?.hasPrefix("[image image/png") == true)
            #expect(image.summaryLines.contains("[resource demo://readme (text/plain)]"))
            await connection.close()
            if !ProtocolVersion.isModern(version) {
                #expect(server.stats().deletes == 1, "DELETE ends the session on close")
            }
        }
    }

    @Test func negotiatesTheNewestRevisionTheServerSpeaks() async throws {
        try await withDemoServer { server in
            let info = try await MCPConnection(endpoint: endpoint(server)).connect()
            #expect(info.protocolVersion == "2026-07-28")
        }
        try await withDemoServer(.with { $0.stateless = false }) { server in
            let connection = MCPConnection(endpoint: endpoint(server))
            let info = try await connection.connect()
            #expect(info.protocolVersion == "2025-11-25", "an old server: fall back to initialize")
            #expect(try await connection.callTool("echo", arguments: ["text": "x"]).summaryLines == ["x"])
            await connection.close()
        }
        try await withDemoServer(.with { $0.stateful = false }) { server in
            let info = try await MCPConnection(endpoint: endpoint(server)).connect()
            #expect(info.protocolVersion == "2026-07-28")
        }
    }

    @Test func fallsBackToLegacySSEAtTheSameURL() async throws {
        try await withDemoServer { server in
            let endpoint = ServerEndpoint(
                name: "old", transport: .streamableHTTP(url: server.legacySSEURL), requestTimeout: 10)
            let connection = MCPConnection(endpoint: endpoint)
            let info = try await connection.connect()
            #expect(info.transport == .sse)
            #expect(info.protocolVersion == "2024-11-05")
            #expect(try await connection.callTool("echo", arguments: ["text": "via sse"]).summaryLines == ["via sse"])
            await connection.close()
        }
    }

    @Test func statelessRequestsMirrorTheBodyInHeaders() async throws {
        try await withDemoServer { server in
            let connection = MCPConnection(endpoint: endpoint(server, version: "2026-07-28"))
            _ = try await connection.callTool("echo", arguments: ["text": "h"])
            let headers = server.stats().lastHeaders
            #expect(headers["mcp-method"] == "tools/call")
            #expect(headers["mcp-name"] == "echo")
            #expect(headers["mcp-protocol-version"] == "2026-07-28")
            #expect(headers["mcp-session-id"] == nil)
        }
    }

    @Test(arguments: ["2025-11-25", "2026-07-28"])
    func progressReachesTheCallThatAskedForIt(_ version: String) async throws {
        try await withDemoServer { server in
            let connection = MCPConnection(endpoint: endpoint(server, version: version))
            let seen = Collected<MCPClient.Progress>()
            let result = try await connection.callTool("slow", arguments: ["steps": 3, "delayMs": 10]) { progress in
                Task { await seen.append(progress) }
            }
            #expect(result.summaryLines == ["done after 3 steps"])
            try await Task.sleep(for: .milliseconds(50))
            let values = await seen.values
            #expect(values.map(\.progress).sorted() == [1, 2, 3])
            #expect(values.first?.total == 3)
        }
    }

    @Test func jsonResponsesWorkToo() async throws {
        try await withDemoServer(.with { $0.responseMode = .json }) { server in
            for version in ["2025-11-25", "2026-07-28"] {
                let connection = MCPConnection(endpoint: endpoint(server, version: version))
                let result = try await connection.callTool("echo", arguments: ["text": "j"])
                #expect(result.summaryLines == ["j"])
                await connection.close()
            }
        }
    }

    @Test func aForgottenSessionIsReplacedAndTheCallRetriedOnce() async throws {
        try await withDemoServer { server in
            let connection = MCPConnection(endpoint: endpoint(server, version: "2025-11-25"))
            let heard = Collected<Int>()
            await connection.observeSessionRenewals { Task { await heard.append(1) } }
            _ = try await connection.callTool("echo", arguments: ["text": "1"])
            #expect(await connection.sessionRenewals == 0)
            server.forgetSessions()
            let result = try await connection.callTool("echo", arguments: ["text": "2"])
            #expect(result.summaryLines == ["2"])
            #expect(server.stats().sessionsCreated == 2)
            // Each renewal is counted, however close together: a ping notices the second.
            server.forgetSessions()
            try await connection.ping()
            #expect(server.stats().sessionsCreated == 3)
            #expect(await connection.sessionRenewals == 2)
            for _ in 0..<200 where await heard.values.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await heard.values.count == 2)
            await connection.close()
        }
    }

    @Test func concurrentCallsShareOneSessionAndOneRenewal() async throws {
        try await withDemoServer { server in
            let connection = MCPConnection(endpoint: endpoint(server, version: "2025-11-25"))
            func burst() async throws -> [String] {
                try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<8 {
                        group.addTask {
                            try await connection.callTool("echo", arguments: ["text": .string("\(index)")])
                                .summaryLines.joined()
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }.sorted()
                }
            }
            let first = try await burst()
            #expect(first == (0..<8).map(String.init))
            #expect(server.stats().sessionsCreated == 1)
            server.forgetSessions()
            let second = try await burst()
            #expect(second == (0..<8).map(String.init))
            #expect(server.stats().sessionsCreated == 2)
            #expect(await connection.sessionRenewals == 1)
            await connection.close()
        }
    }

    @Test(arguments: ["2025-11-25", "2026-07-28"])
    func cancellingACallCancelsItOnTheServer(_ version: String) async throws {
        try await withDemoServer { server in
            let connection = MCPConnection(endpoint: endpoint(server, version: version))
            try await connection.connect()
            let started = Collected<Int>()
            let call = Task {
                try await connection.callTool("slow", arguments: ["steps": 100, "delayMs": 50]) { _ in
                    Task { await started.append(1) }
                }
            }
            for _ in 0..<200 where await started.values.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            }
            call.cancel()
            let outcome = await call.result
            guard case .failure(let error as MCPError) = outcome else {
                Issue.record("expected a cancellation, got \(outcome)")
                return
            }
            #expect(error.isCancellation)
            for _ in 0..<100 where server.stats().cancellations == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.stats().cancellations == 1)
            await connection.close()
        }
    }

    @Test func aSlowCallTimesOut() async throws {
        try await withDemoServer { server in
            let connection = MCPConnection(endpoint: endpoint(server, version: "2026-07-28"))
            do {
                _ = try await connection.callTool("slow", arguments: ["steps": 50, "delayMs": 100], timeout: 0.3)
                Issue.record("expected a timeout")
            } catch let error as MCPError {
                guard case .connection(let failure) = error.kind, failure.kind == .timeout else {
                    Issue.record("expected a timeout, got \(error)")
                    return
                }
                #expect(
                    error.description
                        == "demo: timed out talking to \(server.url): no answer to tools/call within 0.3 s")
            }
        }
    }

    @Test(arguments: [
        DemoServerOptions.Misbehaviour.badJSON, .brokenSSE, .wrongContentType, .hugeBody(bytes: 3 << 20),
    ])
    func malformedAnswersEndTheRequestWithAClearError(_ misbehaviour: DemoServerOptions.Misbehaviour) async throws {
        try await withDemoServer { server in
            var configured = endpoint(server, version: "2026-07-28")
            configured.maxBodyBytes = 1 << 20
            let connection = MCPConnection(endpoint: configured)
            _ = try await connection.listTools()
            server.setOptions { $0.misbehaviour = misbehaviour }
            do {
                _ = try await connection.callTool("echo", arguments: ["text": "x"])
                Issue.record("expected an error")
            } catch let error as MCPError {
                #expect(error.description.hasPrefix("demo: "))
                switch (misbehaviour, error.kind) {
                case (.hugeBody, .connection(let http)): #expect(http.kind == .bodyTooLarge(limit: 1 << 20))
                case (.badJSON, .protocolViolation(let detail)): #expect(detail.contains("invalid JSON"))
                case (.brokenSSE, .protocolViolation(let detail)): #expect(detail.contains("SSE"))
                case (.wrongContentType, .protocolViolation(let detail)): #expect(detail.contains("text/html"))
                default: Issue.record("unexpected error \(error)")
                }
            }
            // The connection is still usable afterwards.
            server.setOptions { $0.misbehaviour = .none }
            #expect(try await connection.callTool("echo", arguments: ["text": "ok"]).summaryLines == ["ok"])
        }
    }

    /// A server with no stream of its own (2025-11-25: GET answered 405; 2026-07-28:
    /// `subscriptions/listen` answered "method not found", as the demo server does) ends the
    /// listening at once rather than failing, so that it is not asked again and again.
    @Test(arguments: ["2025-11-25", "2026-07-28"])
    func aServerWithoutAStreamEndsListeningAtOnce(_ version: String) async throws {
        try await withDemoServer { server in
            let connection = MCPConnection(endpoint: endpoint(server, version: version))
            let held = try await connection.listen(filter: ["toolsListChanged": true]) { _ in }
            #expect(!held)
            if ProtocolVersion.isModern(version) {
                #expect(server.stats().methods["subscriptions/listen"] == 1)
            }
            await connection.close()
        }
    }

    @Test func unreachableServerNamesServerAndURL() async throws {
        let connection = MCPConnection(
            endpoint: ServerEndpoint(name: "gone", transport: .streamableHTTP(url: "http://127.0.0.1:1/mcp?key=secret"))
        )
        do {
            try await connection.connect()
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("gone: could not connect to http://127.0.0.1:1/mcp"))
            #expect(!error.description.contains("secret"))
        }
    }

    @Test func staticHeadersAuthorizeAndA401IsReported() async throws {
        try await withDemoServer(.with { $0.bearerToken = "s3cret-token" }) { server in
            var good = endpoint(server)
            good.headers = [("Authorization", "Bearer s3cret-token")]
            #expect(
                try await MCPConnection(endpoint: good).callTool("echo", arguments: ["text": "in"]).summaryLines == [
                    "in"
                ])
            do {
                _ = try await MCPConnection(endpoint: endpoint(server)).connect()
                Issue.record("expected a 401")
            } catch let error as MCPError {
                guard case .unauthorized(let failure) = error.kind else {
                    Issue.record("expected unauthorized, got \(error)")
                    return
                }
                #expect(failure.status == 401)
                #expect(failure.bearer != nil)
                #expect(!error.description.contains("s3cret"))
            }
        }
    }

    /// The authorizer is asked at send time for every request, and a 401 makes it retry once.
    @Test func authorizerIsAskedPerRequestAndRetriedOnceAfter401() async throws {
        actor RotatingAuthorizer: Authorizer {
            var asked = 0
            var failures = 0
            var token = "old"
            func headers(for request: AuthorizationRequest) async throws -> [(String, String)] {
                asked += 1
                return [("Authorization", "Bearer \(token)")]
            }
            func handle(_ failure: AuthorizationFailure, for request: AuthorizationRequest) async throws -> Bool {
                failures += 1
                token = "new"
                return true
            }
        }
        try await withDemoServer(.with { $0.bearerToken = "new" }) { server in
            let authorizer = RotatingAuthorizer()
            let connection = MCPConnection(endpoint: endpoint(server, version: "2026-07-28"), authorizer: authorizer)
            _ = try await connection.callTool("echo", arguments: ["text": "a"])
            _ = try await connection.callTool("echo", arguments: ["text": "b"])
            #expect(await authorizer.failures == 1)
            #expect(await authorizer.asked == 4)  // discover (twice: 401 then retry), then two calls
        }
    }
}
