import Bridge
import Foundation
import Support
import Synchronization
import Testing

@testable import MCPClient

/// A remote server played in memory: what it was asked, and what it answers.
final class FakeUpstream: Upstream {
    struct Asked: Sendable {
        var method: String
        var params: JSONValue?
        var wantsProgress: Bool
    }
    let info: ServerInfo?
    let answer: @Sendable (String, JSONValue?) async throws(MCPError) -> JSONValue
    let asked = Mutex<[Asked]>([])
    let cancelled = Mutex(0)

    init(
        info: ServerInfo?,
        answer: @escaping @Sendable (String, JSONValue?) async throws(MCPError) -> JSONValue = { _, _ in [:] }
    ) {
        self.info = info
        self.answer = answer
    }

    func serverInfo() async throws(MCPError) -> ServerInfo {
        guard let info else { throw MCPError(server: "remote", .cancelled) }
        return info
    }

    func request(
        _ method: String, params: JSONValue?, wantsProgress: Bool,
        onNotification: @escaping @Sendable (JSONRPCMessage) -> Void
    ) async throws(MCPError) -> JSONValue {
        asked.withLock { $0.append(Asked(method: method, params: params, wantsProgress: wantsProgress)) }
        if wantsProgress {
            onNotification(
                .notification(
                    method: "notifications/progress",
                    params: ["progressToken": "upstream-7", "progress": 1, "total": 2]))
        }
        do {
            return try await answer(method, params)
        } catch {
            if error.isCancellation { cancelled.withLock { $0 += 1 } }
            throw error
        }
    }

    func close() async {}
}

/// What the proxy sent to the client, in order.
actor ClientSide {
    var received: [JSONRPCMessage] = []
    func append(_ message: JSONRPCMessage) { received.append(message) }
    func reply(to id: JSONRPCID) -> JSONRPCMessage? { received.first { $0.responseID == id } }
}

func eventually(_ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(5)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return false
}

@Suite struct ProxySessionTests {
    static let statelessRemote = ServerInfo(
        protocolVersion: "2026-07-28", transport: .streamableHTTP, name: "acme", version: "2.0",
        instructions: "Use search first.",
        capabilities: ["tools": ["listChanged": true], "resources": ["subscribe": true, "listChanged": true]],
        sessionID: nil)

    func session(_ upstream: FakeUpstream) -> (ProxySession, ClientSide) {
        let client = ClientSide()
        return (ProxySession(serverName: "acme", upstream: upstream, send: { await client.append($0) }), client)
    }

    @Test func anOldClientInitializesWithTheProxyAndReachesAStatelessRemote() async throws {
        let upstream = FakeUpstream(info: Self.statelessRemote) { method, _ in
            method == "tools/list" ? ["tools": [], "resultType": "complete"] : [:]
        }
        let (proxy, client) = session(upstream)
        await proxy.receive(
            .request(
                id: .number(1), method: "initialize",
                params: [
                    "protocolVersion": "2025-06-18", "capabilities": [:],
                    "clientInfo": ["name": "old", "version": "1"],
                ]))
        #expect(await eventually { await client.reply(to: .number(1)) != nil })
        guard case .response(_, let result)? = await client.reply(to: .number(1)) else {
            Issue.record("no initialize result")
            return
        }
        #expect(result["protocolVersion"] == "2025-06-18", "the client's revision")
        #expect(result["serverInfo"]?["name"] == "acme")
        #expect(result["instructions"] == "Use search first.")
        #expect(result["capabilities"]?["resources"]?["subscribe"] == nil, "no subscriptions are relayed")
        #expect(result["capabilities"]?["tools"] != nil)
        await proxy.receive(.notification(method: "notifications/initialized", params: nil))
        await proxy.receive(.request(id: .string("a"), method: "tools/list", params: nil))
        #expect(await eventually { await client.reply(to: .string("a")) != nil })
        guard case .response(_, let tools)? = await client.reply(to: .string("a")) else { return }
        #expect(tools["resultType"] == nil, "a 2025 result carries no resultType")
        #expect(upstream.asked.withLock { $0.map(\.method) } == ["tools/list"], "initialize is the proxy's own")
    }

    @Test func aStatelessClientGetsDiscoveryAndResultTypes() async throws {
        let upstream = FakeUpstream(info: Self.statelessRemote) { _, _ in ["content": []] }
        let (proxy, client) = session(upstream)
        let meta: JSONValue = [
            MetaKey.protocolVersion: "2026-07-28", MetaKey.clientInfo: ["name": "new", "version": "1"],
            "progressToken": "client-token", "custom": "kept",
        ]
        await proxy.receive(.request(id: .number(1), method: "server/discover", params: ["_meta": meta]))
        await proxy.receive(
            .request(id: .number(2), method: "tools/call", params: ["name": "search", "_meta": meta]))
        #expect(await eventually { await client.reply(to: .number(2)) != nil })
        guard case .response(_, let discovered)? = await client.reply(to: .number(1)),
            case .response(_, let called)? = await client.reply(to: .number(2))
        else {
            Issue.record("missing answers")
            return
        }
        #expect(discovered["supportedVersions"] == ["2026-07-28"])
        #expect(discovered["_meta"]?[MetaKey.serverInfo]?["name"] == "acme")
        #expect(called["resultType"] == "complete")
        #expect(discovered["ttlMs"] == 0 && discovered["cacheScope"] == "private", "2026-07-28 results are cacheable")
        let asked = try #require(upstream.asked.withLock { $0.first })
        #expect(asked.params?["_meta"] == ["custom": "kept"], "the client's own hop stays with the client")
        #expect(asked.wantsProgress)
        // Progress from the remote carries the client's token, and comes before the answer.
        let order = await client.received.compactMap { message -> String? in
            if message.method == "notifications/progress" { return "progress" }
            return message.responseID == .number(2) ? "answer" : nil
        }
        #expect(order == ["progress", "answer"])
        let progress = await client.received.first { $0.method == "notifications/progress" }
        guard case .notification(_, let params)? = progress else {
            Issue.record("no progress relayed")
            return
        }
        #expect(params?["progressToken"] == "client-token")
        #expect(params?["total"] == 2)
    }

    @Test func anUnknownStatelessRevisionGetsTheRevisionsError() async {
        let (proxy, client) = session(FakeUpstream(info: Self.statelessRemote))
        await proxy.receive(
            .request(id: .number(3), method: "tools/list", params: ["_meta": [MetaKey.protocolVersion: "2099-01-01"]]))
        #expect(await eventually { await client.reply(to: .number(3)) != nil })
        guard case .error(_, let error)? = await client.reply(to: .number(3)) else {
            Issue.record("expected an error")
            return
        }
        #expect(error.code == JSONRPCError.unsupportedProtocolVersion)
        #expect(error.data?["supported"] == ["2026-07-28"])
    }

    @Test func aMissingLoginNamesTheCommandToRun() async {
        let upstream = FakeUpstream(info: nil) { _, _ throws(MCPError) in
            throw MCPError(
                server: "acme", .unauthorized(AuthorizationFailure(status: 401, url: "https://x/mcp", challenges: [])))
        }
        let (proxy, client) = session(upstream)
        await proxy.receive(.request(id: .number(1), method: "initialize", params: ["protocolVersion": "2025-11-25"]))
        await proxy.receive(.request(id: .number(2), method: "tools/call", params: ["name": "x"]))
        #expect(await eventually { await client.reply(to: .number(2)) != nil })
        guard case .response(_, let initialized)? = await client.reply(to: .number(1)),
            case .error(_, let error)? = await client.reply(to: .number(2))
        else {
            Issue.record("unexpected answers")
            return
        }
        #expect(initialized["instructions"]?.stringValue?.contains("mcptop auth acme") == true)
        #expect(error.code == ProxySession.ErrorCode.needsLogin)
        #expect(error.message.contains("run 'mcptop auth acme'"))
    }

    @Test func aMethodTheRemoteRevisionLacksNamesBothRevisions() async {
        let upstream = FakeUpstream(info: Self.statelessRemote) { _, _ throws(MCPError) in
            throw MCPError(
                server: "acme", .rpc(JSONRPCError(code: JSONRPCError.methodNotFound, message: "no such method")))
        }
        let (proxy, client) = session(upstream)
        await proxy.receive(.request(id: .number(1), method: "initialize", params: ["protocolVersion": "2025-11-25"]))
        await proxy.receive(.request(id: .number(2), method: "resources/subscribe", params: ["uri": "x"]))
        #expect(await eventually { await client.reply(to: .number(2)) != nil })
        guard case .error(_, let error)? = await client.reply(to: .number(2)) else { return }
        #expect(error.code == ProxySession.ErrorCode.revisionMismatch)
        #expect(error.message.contains("2025-11-25") && error.message.contains("2026-07-28"))
    }

    @Test func cancellationReachesTheRemoteAndTheRequestGetsNoAnswer() async {
        let upstream = FakeUpstream(info: Self.statelessRemote) { _, _ throws(MCPError) in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                throw MCPError(server: "acme", .cancelled)
            }
            return [:]
        }
        let (proxy, client) = session(upstream)
        await proxy.receive(.request(id: .number(9), method: "tools/call", params: ["name": "slow"]))
        #expect(await eventually { upstream.asked.withLock { $0.count } == 1 })
        await proxy.receive(.notification(method: "notifications/cancelled", params: ["requestId": 9]))
        #expect(await eventually { upstream.cancelled.withLock { $0 } == 1 })
        await proxy.receive(.request(id: .number(10), method: "ping", params: nil))
        #expect(await eventually { await client.reply(to: .number(10)) != nil })
        #expect(await client.reply(to: .number(9)) == nil, "no answer to a cancelled request")
    }
}
