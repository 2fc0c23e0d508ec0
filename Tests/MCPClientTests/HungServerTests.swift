import Foundation
import MCPClient
import Testing

/// Servers that answer part of the handshake and then nothing (issue 12): every step of
/// connecting has a deadline, and cancelling the caller ends a connect at once. The time
/// bounds leave room for a loaded machine (other suites block test threads for seconds: up to
/// 7 s on two cores with every suite running, 2026-12-02); before the fix these connects did
/// not end at all, and the errors say the 1 s deadline is what ended them.
@Suite struct HungServerTests {
    func endpoint(_ transport: ServerEndpoint.Transport, connectTimeout: Double, requestTimeout: Double)
        -> ServerEndpoint
    {
        ServerEndpoint(
            name: "hostile", transport: transport, connectTimeout: connectTimeout, requestTimeout: requestTimeout)
    }

    func connecting(_ connection: MCPConnection) -> Task<ServerInfo, Error> {
        Task { try await connection.connect() }
    }

    @Test func aServerThatNeverAnswersInitializedFailsTheConnectWithinTheTimeout() async throws {
        let server = try HostileServer(.silentAfterInitialize)
        defer { server.stop() }
        let connection = MCPConnection(
            endpoint: endpoint(.streamableHTTP(url: "\(server.base)/mcp"), connectTimeout: 1, requestTimeout: 1))
        let started = ContinuousClock.now
        let outcome = try #require(
            await result(of: connecting(connection), within: 10), "connect() still hangs after 10 s")
        let elapsed = ContinuousClock.now - started
        guard case .failure(let error as MCPError) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(server.requests.contains("notifications/initialized"))
        #expect(error.description.contains("no answer to notifications/initialized within 1 s"), "\(error)")
        #expect(elapsed < .seconds(10), "took \(elapsed)")
        #expect(await connection.serverInfo == nil)
    }

    @Test func cancellingAConnectHungOnInitializedReturnsAtOnceAndAllowsANewOne() async throws {
        let server = try HostileServer(.silentAfterInitialize)
        defer { server.stop() }
        let connection = MCPConnection(
            endpoint: endpoint(.streamableHTTP(url: "\(server.base)/mcp"), connectTimeout: 30, requestTimeout: 30))
        let first = connecting(connection)
        #expect(try await server.waitFor("notifications/initialized"))
        let cancelled = ContinuousClock.now
        first.cancel()
        let outcome = try #require(await result(of: first, within: 5), "cancel did not reach the handshake")
        #expect(ContinuousClock.now - cancelled < .seconds(3), "long before the 30 s timeouts")
        guard case .failure(let error as MCPError) = outcome else {
            Issue.record("expected a cancellation, got \(outcome)")
            return
        }
        #expect(error.isCancellation, "\(error)")

        // The cancelled handshake is gone: the next connect starts a new one (a second
        // `initialize` reaches the server) instead of waiting on the dead one.
        let second = connecting(connection)
        let deadline = ContinuousClock.now + .seconds(5)
        while server.requests.filter({ $0 == "initialize" }).count < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.requests.filter { $0 == "initialize" }.count == 2)
        second.cancel()
        #expect(await result(of: second, within: 5) != nil)
    }

    /// Two callers share one handshake; one of them cancelled must not fail the other's.
    @Test func oneCancelledCallerDoesNotCancelTheHandshakeOfAnother() async throws {
        let server = try HostileServer(.silentAfterInitialize)
        defer { server.stop() }
        let connection = MCPConnection(
            endpoint: endpoint(.streamableHTTP(url: "\(server.base)/mcp"), connectTimeout: 1.5, requestTimeout: 1.5))
        let first = connecting(connection)
        let second = connecting(connection)
        #expect(try await server.waitFor("notifications/initialized"))
        first.cancel()
        let outcome = try #require(await result(of: second, within: 5))
        guard case .failure(let error as MCPError) = outcome else {
            Issue.record("expected a timeout, got \(outcome)")
            return
        }
        #expect(!error.isCancellation, "the other caller's cancellation reached this one: \(error)")
        #expect(error.description.contains("notifications/initialized"), "\(error)")
        #expect(server.requests.filter { $0 == "initialize" }.count == 1, "one shared handshake")
        _ = await result(of: first, within: 5)
    }

    @Test func aLegacySSEStreamWithoutEndpointFailsWithinTheConnectTimeout() async throws {
        let server = try HostileServer(.sseWithoutEndpoint)
        defer { server.stop() }
        let url = "\(server.base)/sse"
        let connection = MCPConnection(endpoint: endpoint(.legacySSE(url: url), connectTimeout: 1, requestTimeout: 30))
        let started = ContinuousClock.now
        let outcome = try #require(
            await result(of: connecting(connection), within: 10), "connect() still hangs after 10 s")
        let elapsed = ContinuousClock.now - started
        guard case .failure(let error as MCPError) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(
            error.description == "hostile: timed out talking to \(url): it sent no endpoint event within 1 s",
            "\(error)")
        #expect(elapsed < .seconds(10), "took \(elapsed)")
    }

    @Test func aLegacySSEServerThatNeverAnswersTheGETFailsWithinTheConnectTimeout() async throws {
        let server = try HostileServer(.silent)
        defer { server.stop() }
        let url = "\(server.base)/sse"
        let connection = MCPConnection(endpoint: endpoint(.legacySSE(url: url), connectTimeout: 1, requestTimeout: 30))
        let outcome = try #require(
            await result(of: connecting(connection), within: 10), "connect() still hangs after 10 s")
        guard case .failure(let error as MCPError) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(
            error.description == "hostile: timed out talking to \(url): no response to the SSE request within 1 s",
            "\(error)")
    }

    @Test func cancellingALegacySSEConnectReturnsAtOnce() async throws {
        let server = try HostileServer(.sseWithoutEndpoint)
        defer { server.stop() }
        let connection = MCPConnection(
            endpoint: endpoint(.legacySSE(url: "\(server.base)/sse"), connectTimeout: 30, requestTimeout: 30))
        let task = connecting(connection)
        #expect(try await server.waitFor("GET /sse"))
        let cancelled = ContinuousClock.now
        task.cancel()
        let outcome = try #require(await result(of: task, within: 5), "cancel did not reach the SSE connect")
        #expect(ContinuousClock.now - cancelled < .seconds(3), "long before the 30 s timeouts")
        guard case .failure(let error as MCPError) = outcome else {
            Issue.record("expected a cancellation, got \(outcome)")
            return
        }
        #expect(error.isCancellation, "\(error)")
    }

    /// A stdio server that reads its input and never writes: cancelling the connect ends it
    /// at once, and the process is stopped.
    @Test func cancellingAConnectToAMuteStdioServerReturnsAtOnce() async throws {
        let connection = MCPConnection(
            endpoint: endpoint(
                .stdio(
                    command: "sh", arguments: ["-c", "exec cat > /dev/null"], environment: [:],
                    workingDirectory: nil), connectTimeout: 30, requestTimeout: 30))
        let task = connecting(connection)
        try await Task.sleep(for: .milliseconds(200))  // let the probe be sent; not a check
        let cancelled = ContinuousClock.now
        task.cancel()
        let outcome = try #require(await result(of: task, within: 5), "cancel did not reach the stdio connect")
        #expect(ContinuousClock.now - cancelled < .seconds(3), "long before the 30 s timeouts")
        guard case .failure(let error as MCPError) = outcome else {
            Issue.record("expected a cancellation, got \(outcome)")
            return
        }
        #expect(error.isCancellation, "\(error)")
    }
}
