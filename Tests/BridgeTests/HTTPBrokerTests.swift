import Foundation
import HTTP
import LocalServer
import NIOPosix
import Support
import Synchronization
import Testing

@testable import Bridge
@testable import MCPClient

/// `mcptop serve` answers on its listener's event loop: the request, the session's task and
/// the upstream call run on the thread that reads and writes the connection, not on the
/// global pool (fewer thread hand-offs per call: BENCHMARKS.md, "Bridges").
@Suite struct HTTPBrokerTests {
    static func threadName() -> String { Thread.current.name ?? "" }

    /// The threads the upstream's calls ran on, three calls through a broker.
    static func upstreamThreads(mayHoldItsThread: Bool) async throws -> [String] {
        let threads = Mutex<[String]>([])
        let upstream = FakeUpstream(info: ProxySessionTests.statelessRemote, mayHoldItsThread: mayHoldItsThread) {
            method, params in
            threads.withLock { $0.append(Self.threadName()) }
            return ["content": [["type": "text", "text": params?["arguments"]?["text"] ?? "?"]], "isError": false]
        }
        let broker = HTTPBroker(upstreams: ["acme": upstream], token: "local-token")
        let port = try await broker.start(host: "127.0.0.1", port: 0)
        let body = #"""
            {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"test","version":"1"}}}}
            """#
        for _ in 0..<3 {
            let response = try await HTTPClient.shared.send(
                HTTPRequest(
                    method: "POST", url: "http://127.0.0.1:\(port)/acme/mcp",
                    headers: HTTPHeaders([
                        ("Authorization", "Bearer local-token"), ("Content-Type", "application/json"),
                        // JSON only: an answer later than 100 ms (a busy machine) would otherwise
                        // come as an SSE stream, which is right but not what this test reads.
                        ("Accept", "application/json"), ("MCP-Protocol-Version", "2026-07-28"),
                    ]), body: Array(body.utf8), timeout: 10))
            #expect(response.status == 200)
            let answer = try JSONValue.parse(response.body)
            #expect(answer["id"] == 7)
            #expect(answer["result"]?["content"]?[0]?["text"] == "hi")
        }
        await broker.stop()
        return threads.withLock { $0 }
    }

    @Test func aCallIsAnsweredOnTheListenersEventLoop() async throws {
        // NIO names its threads NIO-ELT-<group>-#<loop>; the global pool's are not.
        let seen = try await Self.upstreamThreads(mayHoldItsThread: false)
        #expect(seen.count == 3)
        #expect(seen.allSatisfy { $0.hasPrefix("NIO-ELT") }, "upstream calls ran on \(seen)")
    }

    /// A stdio server's write may wait for its input pipe: never on the loop every client shares.
    @Test func aServerThatMayHoldItsThreadIsCalledFromTheGlobalPool() async throws {
        let seen = try await Self.upstreamThreads(mayHoldItsThread: true)
        #expect(seen.count == 3)
        #expect(!seen.contains { $0.hasPrefix("NIO-") }, "upstream calls ran on \(seen)")
    }

    @Test func tasksPreferringALoopRunOnItAndOnThePoolOnceItCloses() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopExecutor(loop: loop)
        let onLoop = await Task(executorPreference: executor) { () async -> Bool in
            await Task.yield()  // comes back through the executor
            let children = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 { group.addTask { loop.inEventLoop } }
                return await group.allSatisfy { $0 }
            }
            return loop.inEventLoop && children
        }.value
        #expect(onLoop)
        executor.close()
        try await group.shutdownGracefully()
        // A task still preferring it is not dropped with the loop.
        let afterwards = await Task(executorPreference: executor) { () async -> Bool in
            await Task.yield()
            return loop.inEventLoop
        }.value
        #expect(!afterwards)
    }
}

@Suite struct LocalTokenTests {
    @Test func aNewTokenIsPrivateKeptAndNeverReadAsAnOption() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/serve/token"
        var tokens: Set<String> = []
        for index in 0..<40 {
            try? FileManager.default.removeItem(atPath: path)
            let token = try LocalToken.load(path: path)
            // A base64url token alone starts with "-" one time in 64: `--token -x…` on a
            // command line is an option, not a value.
            #expect(token.hasPrefix(LocalToken.prefix), "token \(index) has no prefix")
            #expect(token.count == LocalToken.prefix.count + 43)
            tokens.insert(token)
        }
        #expect(tokens.count == 40)
        let stored = try LocalToken.load(path: path)
        #expect(try LocalToken.load(path: path) == stored)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// A `serve` and a `serve --print-config` started together on a new state folder: both
    /// found no token, and the one that publishes last must take the first one's, or the serve
    /// answers 401 to every client set up with the printed token.
    @Test func aTokenStoredMeanwhileByAnotherProcessWins() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/serve/token"
        var first = ""
        let second = try LocalToken.load(path: path) {
            first = (try? LocalToken.load(path: path)) ?? "failed"
        }
        #expect(first.hasPrefix(LocalToken.prefix))
        #expect(second == first)
        #expect(try LocalToken.load(path: path) == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/serve") == ["token"])
    }
}
