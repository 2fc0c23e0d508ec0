import Foundation
import HTTP
import Support
import Synchronization
import Testing

@testable import MCPClient

/// Attacks from issue 17's hostile-server suite, at the level of one connection.
@Suite struct HostileAnswersTests {
    func connection(to server: HostileServer) -> MCPConnection {
        MCPConnection(
            endpoint: ServerEndpoint(
                name: "hostile", transport: .streamableHTTP(url: "\(server.base)/mcp"), connectTimeout: 5,
                requestTimeout: 5))
    }

    /// A server whose `tools/list` hands out a new cursor for ever: before the bound, `mcptop
    /// tools` and every dashboard connect listed for ever.
    @Test func endlessPagesAreGivenUpAfterTheBound() async throws {
        let server = try HostileServer(.endlessToolPages)
        defer { server.stop() }
        let connection = connection(to: server)
        let listing = Task { try await connection.listTools() }
        let outcome = try #require(await result(of: listing, within: 60), "listTools() still runs after 60 s")
        guard case .failure(let error as MCPError) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        let pages = MCPConnection.maxToolPages
        #expect(
            error.description.contains("tools/list went on for more than \(pages) pages (\(pages) tools)"),
            "\(error)")
        #expect(server.requests.filter { $0 == "tools/list" }.count == pages)
    }

    /// A stream of notifications that never ends: libcurl ends the transfer at the deadline,
    /// but what it had received by then (up to the 64 MiB cap) is still queued, and used to be
    /// read to its end first, which took many seconds (an `mcptop tools` of 2 s took 9 to 20).
    @Test func aFloodedStreamEndsAtTheDeadlineWithWorkStillQueued() async throws {
        let note = #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}"#
        let chunk = Array(String(repeating: "event: message\ndata: \(note)\n\n", count: 100).utf8)
        let (body, continuation) = AsyncThrowingStream<[UInt8], Error>.makeStream()
        for _ in 0..<1000 { continuation.yield(chunk) }
        continuation.finish(throwing: HTTPError(.timeout, url: "http://127.0.0.1:9/mcp"))
        let handled = Mutex(0)
        await #expect {
            try await StreamableHTTPTransport.readEventStream(
                body, awaiting: .number(1), deadline: (seconds: 2, at: .now), server: "hostile",
                onMessage: { _ in handled.withLock { $0 += 1 } })
        } throws: { error in
            "\(error)" == "hostile: no answer within 2 s"
        }
        #expect(handled.withLock { $0 } == 0, "the deadline had passed before the first chunk")
    }

    /// A redirect is not followed (HTTPClient), and the error says where it pointed, without
    /// its query.
    @Test func aRedirectIsNamedNotFollowed() async throws {
        let server = try HostileServer(.redirect)
        defer { server.stop() }
        let connection = connection(to: server)
        await #expect {
            try await connection.connect()
        } throws: { error in
            let text = "\(error)"
            return text.contains(
                "\(server.base)/mcp answered HTTP 307: a redirect to http://127.0.0.1:1/elsewhere, not followed")
                && !text.contains("secret")
        }
    }

    /// Progress of 1e400 (infinite once parsed) used to print as "progress null"; a total that
    /// is not a finite number is left out.
    @Test func progressThatIsNotAFiniteNumberIsDropped() throws {
        func progress(_ params: String) throws -> MCPClient.Progress? {
            MCPClient.Progress(notification: try JSONValue.parse(params))
        }
        #expect(try progress(#"{"progress": 1e400, "total": 2}"#) == nil)
        #expect(try progress(#"{"progress": "50%"}"#) == nil)
        #expect(try progress(#"{"progress": null}"#) == nil)
        #expect(try progress(#"{"total": 1}"#) == nil)
        #expect(try progress(#"{"progress": 1, "total": 1e400}"#) == MCPClient.Progress(progress: 1))
        #expect(try progress(#"{"progress": 1, "total": "3600"}"#) == MCPClient.Progress(progress: 1))
        #expect(
            try progress(#"{"progress": 1e300, "total": -5, "message": "m"}"#)
                == MCPClient.Progress(progress: 1e300, total: -5, message: "m"))
    }

    /// `protocolVersion: 1e300` in the answer to `initialize`: the error says what came instead
    /// of a revision's name (it said "has no protocolVersion").
    @Test func aNumberForTheProtocolVersionIsNamed() async throws {
        let script = #"""
            import json, sys
            for line in sys.stdin:
                m = json.loads(line)
                if m.get("method") == "server/discover":
                    print(json.dumps({"jsonrpc": "2.0", "id": m["id"], "error": {"code": -32601, "message": "no"}}))
                elif m.get("method") == "initialize":
                    print('{"jsonrpc": "2.0", "id": %s, "result": {"protocolVersion": 1e300, "capabilities": {}}}'
                          % json.dumps(m["id"]))
                sys.stdout.flush()
            """#
        let connection = MCPConnection(
            endpoint: ServerEndpoint(
                name: "hostile",
                transport: .stdio(
                    command: "python3", arguments: ["-c", script], environment: [:], workingDirectory: nil),
                requestTimeout: 10))
        await #expect {
            try await connection.connect()
        } throws: { error in
            "\(error)" == "hostile: protocol error: initialize result has no protocolVersion string (it sent 1e+300)"
        }
        await connection.close()
    }
}
