import Foundation
import OAuth
import Support
import Synchronization
import Testing

@testable import Bridge
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
    /// What the remote asks the client mid-request (stateful revisions), and what it heard back.
    let questions: [(method: String, params: JSONValue)]
    let heard = Mutex<[Result<JSONValue, JSONRPCError>]>([])

    /// Plays a stdio server, whose writes may wait for its input pipe.
    let mayHoldItsThread: Bool

    init(
        info: ServerInfo?, questions: [(method: String, params: JSONValue)] = [], mayHoldItsThread: Bool = false,
        answer: @escaping @Sendable (String, JSONValue?) async throws(MCPError) -> JSONValue = { _, _ in [:] }
    ) {
        self.info = info
        self.questions = questions
        self.mayHoldItsThread = mayHoldItsThread
        self.answer = answer
    }

    func serverInfo() async throws(MCPError) -> ServerInfo {
        guard let info else { throw MCPError(server: "remote", .cancelled) }
        return info
    }

    func request(
        _ method: String, params: JSONValue?, wantsProgress: Bool, capabilities: JSONValue?,
        onNotification: @escaping @Sendable (JSONRPCMessage) -> Void, onRequest: @escaping ServerRequestHandler
    ) async throws(MCPError) -> JSONValue {
        asked.withLock { $0.append(Asked(method: method, params: params, wantsProgress: wantsProgress)) }
        for question in questions {
            let answer = await onRequest(question.method, question.params)
            heard.withLock { $0.append(answer) }
        }
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

    func declare(capabilities: JSONValue) async {}
    func listen(filter: JSONValue, onNotification: @escaping @Sendable (JSONRPCMessage) -> Void)
        async throws(MCPError) -> Bool
    { false }
    func observeNotifications(_ observer: @escaping @Sendable (JSONRPCMessage) -> Void) async {
        self.observer.withLock { $0 = observer }
    }
    /// Where the bridge listens for notifications outside requests (stdio-like: one stream).
    let observer = Mutex<(@Sendable (JSONRPCMessage) -> Void)?>(nil)
    func sendsOutsideRequests(_ message: JSONRPCMessage) {
        observer.withLock { $0 }?(message)
    }
    func notify(_ method: String, params: JSONValue?) async {}
    func close() async {}
}

/// What the proxy sent to the client, in order.
actor ClientSide {
    var received: [JSONRPCMessage] = []
    func append(_ message: JSONRPCMessage) { received.append(message) }
    func reply(to id: JSONRPCID) -> JSONRPCMessage? { received.first { $0.responseID == id } }
}

/// Waits for `condition` up to 20 s: only a failing test waits that long, and the whole suite
/// starting at once on two busy cores has held a bridged answer up for more than 5 s.
func eventually(_ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(20)
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

    /// A refresh that could not reach the authorization server is not a missing login: the
    /// client hears the server could not be reached and that the next request tries again.
    @Test func anUnreachableAuthorizationServerIsNotAMissingLogin() async {
        let upstream = FakeUpstream(info: Self.statelessRemote) { _, _ throws(MCPError) in
            throw MCPError(
                server: "acme",
                .authorization(
                    OAuthError(server: "acme", .transient("refresh: could not connect to https://idp.example/token"))))
        }
        let (proxy, client) = session(upstream)
        await proxy.receive(.request(id: .number(1), method: "initialize", params: ["protocolVersion": "2025-11-25"]))
        await proxy.receive(.request(id: .number(2), method: "tools/call", params: ["name": "x"]))
        #expect(await eventually { await client.reply(to: .number(2)) != nil })
        guard case .error(_, let error)? = await client.reply(to: .number(2)) else {
            Issue.record("no error answer")
            return
        }
        #expect(error.code == ProxySession.ErrorCode.upstreamFailed)
        #expect(error.message.contains("authorization server could not be reached"), "\(error.message)")
        #expect(error.message.contains("tries again"), "\(error.message)")
        #expect(error.message.contains("could not connect to https://idp.example/token"), "\(error.message)")
        #expect(!error.message.contains("mcptop auth"), "\(error.message)")
        #expect(!error.message.contains("nothing was deleted"), "the advice is given once: \(error.message)")
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

    /// A remote that answers after 30 s, and counts the cancellation of a request it was still
    /// working on.
    static func slowRemote() -> FakeUpstream {
        FakeUpstream(info: statelessRemote) { _, _ throws(MCPError) in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                throw MCPError(server: "acme", .cancelled)
            }
            return [:]
        }
    }

    @Test func cancellationReachesTheRemoteAndTheRequestGetsNoAnswer() async {
        let upstream = Self.slowRemote()
        let (proxy, client) = session(upstream)
        await proxy.receive(.request(id: .number(9), method: "tools/call", params: ["name": "slow"]))
        #expect(await eventually { upstream.asked.withLock { $0.count } == 1 })
        await proxy.receive(.notification(method: "notifications/cancelled", params: ["requestId": 9]))
        #expect(await eventually { upstream.cancelled.withLock { $0 } == 1 })
        await proxy.receive(.request(id: .number(10), method: "ping", params: nil))
        #expect(await eventually { await client.reply(to: .number(10)) != nil })
        #expect(await client.reply(to: .number(9)) == nil, "no answer to a cancelled request")
    }

    /// A stdio client ends the session by closing stdin right after its requests: they are
    /// still answered (stdio.mdx), and only what outlasts the limit is cancelled.
    @Test func requestsMadeBeforeTheInputEndsAreStillAnswered() async {
        let upstream = FakeUpstream(info: Self.statelessRemote) { _, _ throws(MCPError) in
            try? await Task.sleep(for: .milliseconds(300))
            return ["content": []]
        }
        let (proxy, client) = session(upstream)
        await proxy.receive(.request(id: .number(1), method: "tools/call", params: ["name": "echo"]))
        await proxy.answerPending(within: .seconds(20))
        guard case .response? = await client.reply(to: .number(1)) else {
            Issue.record("not answered before answerPending returned")
            return
        }
        await proxy.close()
    }

    @Test func aRequestThatOutlastsTheLimitIsCancelledWhenTheInputEnds() async {
        let upstream = Self.slowRemote()
        let (proxy, client) = session(upstream)
        await proxy.receive(.request(id: .number(2), method: "tools/call", params: ["name": "slow"]))
        #expect(await eventually { upstream.asked.withLock { $0.count } == 1 })
        let started = ContinuousClock.now
        await proxy.answerPending(within: .milliseconds(200))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(upstream.cancelled.withLock { $0 } == 1)
        #expect(await client.reply(to: .number(2)) == nil, "no answer to a cancelled request")
    }

    // MARK: The remote's questions (2025-11-25 elicitation, 2026-07-28 mrtr.mdx)

    static let statefulRemote = ServerInfo(
        protocolVersion: "2025-11-25", transport: .streamableHTTP, name: "acme", version: "2.0", instructions: nil,
        capabilities: ["tools": [:]], sessionID: "s1")
    static let question: (method: String, params: JSONValue) = (
        "elicitation/create", ["message": "Who is there?", "requestedSchema": ["type": "object"]]
    )

    @Test func aStatefulClientIsAskedWhatTheRemoteAsksBeforeItsAnswer() async throws {
        let upstream = FakeUpstream(info: Self.statefulRemote, questions: [Self.question]) { _, _ in ["content": []] }
        let (proxy, client) = session(upstream)
        await proxy.receive(
            .request(
                id: .number(1), method: "initialize",
                params: ["protocolVersion": "2025-11-25", "capabilities": ["elicitation": [:], "experimental": [:]]]))
        await proxy.receive(.request(id: .number(2), method: "tools/call", params: ["name": "greet"]))
        #expect(await eventually { await client.received.contains { $0.method == "elicitation/create" } })
        let asked = try #require(await client.received.first { $0.method == "elicitation/create" })
        guard case .request(let questionID, _, let params) = asked else { return }
        #expect(params?["message"] == "Who is there?")
        #expect(await client.reply(to: .number(2)) == nil, "the call waits for the client's answer")
        await proxy.receive(.response(id: questionID, result: ["action": "accept", "content": ["name": "Ada"]]))
        #expect(await eventually { await client.reply(to: .number(2)) != nil })
        #expect(upstream.heard.withLock { $0 } == [.success(["action": "accept", "content": ["name": "Ada"]])])
    }

    @Test func aClientThatCannotAnswerHasTheQuestionDeclined() async {
        let upstream = FakeUpstream(info: Self.statefulRemote, questions: [Self.question]) { _, _ in ["content": []] }
        let (proxy, client) = session(upstream)
        await proxy.receive(
            .request(
                id: .number(1), method: "initialize", params: ["protocolVersion": "2025-11-25", "capabilities": [:]]))
        await proxy.receive(.request(id: .number(2), method: "tools/call", params: ["name": "greet"]))
        #expect(await eventually { await client.reply(to: .number(2)) != nil })
        #expect(!(await client.received.contains { $0.method == "elicitation/create" }))
        guard case .failure(let refusal)? = upstream.heard.withLock({ $0.first }) else {
            Issue.record("the remote heard no refusal")
            return
        }
        #expect(refusal.message.contains("elicitation/create"))
    }

    @Test func aStatelessClientAnswersAStatefulRemotesQuestionByRetrying() async throws {
        let upstream = FakeUpstream(info: Self.statefulRemote, questions: [Self.question]) { _, _ in
            ["content": [["type": "text", "text": "hello"]]]
        }
        let parked = ParkedRequests()
        let client = ClientSide()
        let proxy = ProxySession(serverName: "acme", upstream: upstream, parked: parked) { await client.append($0) }
        let meta: JSONValue = [
            MetaKey.protocolVersion: "2026-07-28", MetaKey.clientCapabilities: ["elicitation": ["form": [:]]],
        ]
        await proxy.receive(.request(id: .number(1), method: "tools/call", params: ["name": "greet", "_meta": meta]))
        #expect(await eventually { await client.reply(to: .number(1)) != nil })
        guard case .response(_, let first)? = await client.reply(to: .number(1)) else { return }
        #expect(first["resultType"] == "input_required")
        let entry = try #require(first["inputRequests"]?.objectValue?.elements.first)
        let key = entry.key
        #expect(entry.value["method"] == "elicitation/create")
        let state = try #require(first["requestState"]?.stringValue)
        #expect(upstream.asked.withLock { $0.count } == 1)

        // The retry is a request of its own (a stateless client's next POST): a new session.
        let retrying = ProxySession(serverName: "acme", upstream: upstream, parked: parked) { await client.append($0) }
        await retrying.receive(
            .request(
                id: .number(2), method: "tools/call",
                params: [
                    "name": "greet", "_meta": meta, "requestState": .string(state),
                    "inputResponses": [key: ["action": "accept", "content": ["name": "Ada"]]],
                ]))
        #expect(await eventually { await client.reply(to: .number(2)) != nil })
        guard case .response(_, let done)? = await client.reply(to: .number(2)) else { return }
        #expect(done["resultType"] == "complete")
        #expect(done["content"]?[0]?["text"] == "hello")
        #expect(upstream.asked.withLock { $0.count } == 1, "the remote request was answered, not sent again")
        #expect(upstream.heard.withLock { $0 } == [.success(["action": "accept", "content": ["name": "Ada"]])])
        #expect(parked.take(state) == nil, "a state is good for one retry")
    }

    @Test func aStatefulClientAnswersAStatelessRemotesInputRequired() async throws {
        let rounds = Mutex(0)
        let upstream = FakeUpstream(info: Self.statelessRemote) { _, params in
            let round = rounds.withLock { count -> Int in
                count += 1
                return count
            }
            if round == 1 {
                return [
                    "resultType": "input_required", "requestState": "remote-state",
                    "inputRequests": ["who": ["method": "elicitation/create", "params": ["message": "Who?"]]],
                ]
            }
            #expect(params?["requestState"] == "remote-state")
            #expect(params?["inputResponses"]?["who"]?["action"] == "accept")
            return ["resultType": "complete", "content": []]
        }
        let (proxy, client) = session(upstream)
        await proxy.receive(
            .request(
                id: .number(1), method: "initialize",
                params: ["protocolVersion": "2025-11-25", "capabilities": ["elicitation": [:]]]))
        await proxy.receive(.request(id: .number(2), method: "tools/call", params: ["name": "greet"]))
        #expect(await eventually { await client.received.contains { $0.method == "elicitation/create" } })
        guard
            case .request(let questionID, _, _)? = await client.received.first(where: {
                $0.method == "elicitation/create"
            })
        else { return }
        await proxy.receive(.response(id: questionID, result: ["action": "accept", "content": ["name": "Ada"]]))
        #expect(await eventually { await client.reply(to: .number(2)) != nil })
        guard case .response(_, let done)? = await client.reply(to: .number(2)) else { return }
        #expect(done["resultType"] == nil, "a 2025-11-25 result")
        #expect(rounds.withLock { $0 } == 2)
        #expect(upstream.asked.withLock { $0.last?.params?["_meta"]?[MetaKey.clientCapabilities] } == nil)
    }

    // MARK: Notifications outside requests (2025-11-25 GET stream, 2026-07-28 subscriptions.mdx)

    /// A proxy that relays notifications outside requests from a stateful remote.
    func relaying() -> (FakeUpstream, ProxySession, ClientSide) {
        let upstream = FakeUpstream(info: Self.statefulRemote)
        let client = ClientSide()
        let proxy = ProxySession(
            serverName: "acme", upstream: upstream, notifications: NotificationRelay(upstream: upstream)
        ) { await client.append($0) }
        return (upstream, proxy, client)
    }

    @Test func aStatefulClientHearsListChangesAndTheResourcesItSubscribedTo() async throws {
        let (upstream, proxy, client) = relaying()
        await proxy.receive(
            .request(
                id: .number(1), method: "initialize", params: ["protocolVersion": "2025-11-25", "capabilities": [:]]))
        #expect(await eventually { await client.reply(to: .number(1)) != nil })
        upstream.sendsOutsideRequests(.notification(method: "notifications/tools/list_changed", params: nil))
        #expect(await eventually { await client.received.contains { $0.method == "notifications/tools/list_changed" } })

        await proxy.receive(.request(id: .number(2), method: "resources/subscribe", params: ["uri": "note://a"]))
        #expect(await eventually { await client.reply(to: .number(2)) != nil })
        #expect(upstream.asked.withLock { $0.map(\.method) } == ["resources/subscribe"], "the remote is asked once")
        upstream.sendsOutsideRequests(
            .notification(method: "notifications/resources/updated", params: ["uri": "note://b"]))
        upstream.sendsOutsideRequests(
            .notification(method: "notifications/resources/updated", params: ["uri": "note://a"]))
        #expect(await eventually { await client.received.contains { $0.method == "notifications/resources/updated" } })
        let updates = await client.received.filter { $0.method == "notifications/resources/updated" }
        guard case .notification(_, let params)? = updates.first else { return }
        #expect(updates.count == 1 && params?["uri"] == "note://a", "only what the client subscribed to")

        await proxy.receive(.request(id: .number(3), method: "resources/unsubscribe", params: ["uri": "note://a"]))
        #expect(await eventually { await client.reply(to: .number(3)) != nil })
        #expect(upstream.asked.withLock { $0.map(\.method) } == ["resources/subscribe", "resources/unsubscribe"])
    }

    @Test func aStatelessClientListensAndIsAcknowledgedWithItsSubscription() async throws {
        let (upstream, proxy, client) = relaying()
        let meta: JSONValue = [MetaKey.protocolVersion: "2026-07-28"]
        await proxy.receive(
            .request(
                id: .string("listen-1"), method: "subscriptions/listen",
                params: ["_meta": meta, "notifications": ["toolsListChanged": true]]))
        #expect(
            await eventually {
                await client.received.contains { $0.method == "notifications/subscriptions/acknowledged" }
            })
        let ack = await client.received.first { $0.method == "notifications/subscriptions/acknowledged" }
        guard case .notification(_, let acknowledged)? = ack else { return }
        #expect(acknowledged?["_meta"]?[MetaKey.subscriptionID] == "listen-1")
        #expect(acknowledged?["notifications"] == ["toolsListChanged": true])
        upstream.sendsOutsideRequests(.notification(method: "notifications/prompts/list_changed", params: nil))
        upstream.sendsOutsideRequests(.notification(method: "notifications/tools/list_changed", params: nil))
        #expect(await eventually { await client.received.contains { $0.method == "notifications/tools/list_changed" } })
        let change = await client.received.first { $0.method == "notifications/tools/list_changed" }
        guard case .notification(_, let params)? = change else { return }
        #expect(params?["_meta"]?[MetaKey.subscriptionID] == "listen-1")
        #expect(
            !(await client.received.contains { $0.method == "notifications/prompts/list_changed" }), "not asked for")
        await proxy.receive(.notification(method: "notifications/cancelled", params: ["requestId": "listen-1"]))
        await proxy.receive(.request(id: .number(9), method: "ping", params: nil))
        #expect(await eventually { await client.reply(to: .number(9)) != nil })
        #expect(await client.reply(to: .string("listen-1")) == nil, "a cancelled subscription gets no answer")
    }
}
