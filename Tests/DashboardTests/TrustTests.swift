import Foundation
import OAuth
import Testing

@testable import Dashboard
@testable import MCPClient
@testable import Monitor

/// Issue 12: a dashboard whose reasons are readable and whose keys do what they say.
@Suite struct TrustTests {
    func press(_ keys: [Key], _ state: inout DashboardState) -> [Effect] {
        keys.flatMap { Reducer.reduce(&state, .key($0)) }
    }

    func event(_ server: String, _ kind: MonitorEvent.Kind) -> Action {
        .event(MonitorEvent(server: server, time: RenderTests.now, kind: kind))
    }

    func rows(_ screen: Screen) -> [String] { screen.text.components(separatedBy: "\n") }

    // MARK: Selection

    @Test func theSelectionFollowsTheServerWhenRowsReorder() {
        var state = RenderTests.state()
        _ = press([.end], &state)
        #expect(state.selectedServer?.name == "legacy")
        _ = press([.character("s")], &state)  // by state: legacy (needsLogin) moves to the top
        #expect(state.visible.first?.name == "legacy")
        #expect(state.selectedServer?.name == "legacy")
        #expect(press([.character("c")], &state) == [.command(server: "legacy", .reconnect)])
        // A new fetch in another order keeps it too.
        _ = Reducer.reduce(&state, .snapshots(RenderTests.servers.reversed()))
        #expect(state.selectedServer?.name == "legacy")
    }

    // MARK: Overlays and keys

    @Test func qClosesTheHelpAndQuitsOnlyFromTheMainView() {
        var state = RenderTests.state()
        _ = press([.character("?")], &state)
        #expect(press([.character("q")], &state).isEmpty)
        #expect(state.overlay == nil)
        _ = press([.character("?")], &state)
        #expect(press([.escape], &state).isEmpty)
        #expect(state.overlay == nil)
        _ = press([.character("l")], &state)
        #expect(press([.character("q")], &state).isEmpty)
        #expect(state.overlay == nil)
        #expect(press([.character("q")], &state) == [.quit])
    }

    @Test func theFooterShowsTheKeysOfTheViewInFocus() {
        var state = RenderTests.state(width: 100, height: 30)
        let main = rows(Renderer.render(state)).last ?? ""
        #expect(main.contains("Describe") && main.contains("Quit"))
        _ = press([.character("d")], &state)
        let describe = rows(Renderer.render(state)).last ?? ""
        #expect(describe.contains("Copy") && describe.contains("Close"))
        #expect(!describe.contains("Quit"))
    }

    // MARK: Status line

    @Test func progressMessagesEndWithTheirOutcome() {
        var state = RenderTests.state()
        _ = press([.character("c")], &state)
        #expect(state.status?.text == "acme: reconnecting…")
        _ = Reducer.reduce(&state, .tick(RenderTests.now.addingTimeInterval(30)))
        #expect(state.status?.text == "acme: reconnecting…", "kept while under way")
        _ = Reducer.reduce(
            &state,
            event(
                "acme",
                .stateChanged(
                    ConnectionState(.connected, reason: "protocol 2026-07-28, 3 tools", since: RenderTests.now))))
        #expect(state.status?.text == "acme: reconnected (protocol 2026-07-28, 3 tools)")
        #expect(state.status?.awaiting == nil)

        _ = press([.character("r")], &state)
        #expect(state.status?.text == "acme: refreshing…")
        _ = Reducer.reduce(
            &state,
            event("acme", .refreshed(.failure(OAuthError(server: "acme", .transient("token endpoint answered 503"))))))
        #expect(state.status?.text.contains("503") == true)
        #expect(state.status?.role == .error)
    }

    @Test func aCallFromTheToolPaneEndsWithItsOutcome() {
        var state = ReducerTests.state
        let effects = press([.character("t"), .enter] + "hi".map { .character($0) } + [.enter, .function(5)], &state)
        #expect(effects == [.callTool(server: "acme", tool: "echo", arguments: ["text": "hi"])])
        #expect(state.status?.text == "calling echo…")
        _ = Reducer.reduce(&state, .callStarted(server: "acme", id: 9))
        let done = CallRecord(
            id: 9, tool: "echo", argumentsDigest: "", startedAt: RenderTests.now, duration: 0.012, outcome: .ok,
            lastProgress: nil, detail: "hi", result: nil)
        _ = Reducer.reduce(&state, event("acme", .callFinished(done)))
        #expect(state.status?.text == "acme: echo ok in 12 ms")
    }

    @Test func theLoginPopupClosesByItselfWhenTheLoginEnds() {
        var state = RenderTests.state()
        let url = "https://auth.example.com/authorize?client_id=x"
        _ = press([.character("a")], &state)
        #expect(state.status?.awaiting == .login(server: "acme"))
        _ = Reducer.reduce(&state, event("acme", .login(.waitingForBrowser(url: url, scopes: []))))
        #expect(state.overlay == .loginURL(server: "acme", url: url))
        _ = Reducer.reduce(&state, event("acme", .login(.succeeded("logged in (scopes: tools)"))))
        #expect(state.overlay == nil)
        #expect(state.status?.text == "acme: logged in (scopes: tools)")
        #expect(state.status?.role == .ok)
    }

    @Test func escapeOnTheLoginPopupCancelsTheLoginAndYCopiesTheURL() {
        var state = RenderTests.state()
        let url = "https://auth.example.com/authorize?client_id=x"
        _ = Reducer.reduce(&state, event("acme", .login(.waitingForBrowser(url: url, scopes: []))))
        #expect(press([.character("y")], &state) == [.copy(url)])
        #expect(state.overlay != nil, "copying keeps the popup")
        #expect(press([.escape], &state) == [.command(server: "acme", .cancelLogin)])
        #expect(state.overlay == nil)
        _ = Reducer.reduce(&state, event("acme", .login(.cancelled)))
        #expect(state.status?.text.contains("login cancelled") == true)
    }

    @Test func aSecondLoginKeyCancelsAPendingLogin() {
        var state = RenderTests.state()
        var servers = RenderTests.servers
        servers[0].pendingLogin = PendingLogin(url: nil, scopes: [], startedAt: RenderTests.now)
        _ = Reducer.reduce(&state, .snapshots(servers))
        #expect(press([.character("a")], &state) == [.command(server: "acme", .cancelLogin)])
    }

    // MARK: Logins that cannot or need not happen

    @Test func loginOnAServerWithoutOAuthSaysSoInsteadOfTrying() {
        var state = RenderTests.state()
        _ = press([.down], &state)  // files: stdio
        #expect(press([.character("a")], &state).isEmpty)
        #expect(state.status?.text == "files needs no login: a stdio server")
    }

    @Test func stepUpAsksForTheGrantedAndTheRequiredScopes() {
        var state = RenderTests.state()
        var servers = RenderTests.servers
        servers[0].token?.scopes = ["tools"]
        servers[0].stepUpScopes = ["admin"]
        _ = Reducer.reduce(&state, .snapshots(servers))
        #expect(
            press([.character("a")], &state) == [.command(server: "acme", .login(openBrowser: true, extraScopes: []))])
        #expect(state.status?.text.contains("tools admin") == true)
        #expect(state.status?.text.contains("asked for admin") == true)
        let facts = DetailPane.tokenFacts(servers[0], now: RenderTests.now, offset: 0).map(\.0)
        #expect(facts.contains { $0.contains("asked for the scopes admin") })
    }

    // MARK: A server whose config entry cannot be used

    @Test func aServerWithAnUnsetVariableIsARowWithItsReason() {
        var state = RenderTests.state(width: 120)
        var servers = RenderTests.servers
        servers.append(
            ServerSnapshot(
                name: "secret", transport: "http", target: "https://x.example.com/${TOKEN}",
                state: ConnectionState(.config, reason: "url uses ${TOKEN}, which is not set", since: RenderTests.now),
                history: [], serverInfo: nil, tools: [], token: nil, calls: [], authSteps: [], callCount: 0,
                errorCount: 0, refreshDue: nil, configProblem: "url uses ${TOKEN}, which is not set"))
        _ = Reducer.reduce(&state, .snapshots(servers))
        let screen = rows(Renderer.render(state))
        #expect(screen[0].contains("4 servers"))
        #expect(screen.contains { $0.contains("secret") && $0.contains("config url uses ${TOKEN}, which is not set") })
        _ = press([.end, .character("c")], &state)
        #expect(state.status?.text.contains("fix the config first") == true)
    }

    // MARK: The table

    @Test func theTitleCountsWhatTheFilterShows() {
        var state = RenderTests.state()
        state.filter = "leg"
        #expect(rows(Renderer.render(state))[0].contains("1 of 3 servers"))
        state.filter = ""
        #expect(rows(Renderer.render(state))[0].contains(" 3 servers"))
    }

    @Test func atEightyColumnsTheStateColumnHasTheRoom() {
        var servers = RenderTests.servers
        servers[1].name = "expiring-login-server"
        let layout = Column.layout(width: 80, servers: servers)
        let widths = Dictionary(uniqueKeysWithValues: layout.map { ($0.column.id, $0.width) })
        #expect((widths[.state] ?? 0) >= 28)
        #expect(widths[.name] == 21, "names are as wide as the longest, not cut at 14")
        #expect(layout.map(\.width).reduce(0, +) + layout.count - 1 <= 80)
        servers = RenderTests.servers
        servers[0].token?.account = "user@example.com"
        let wide = Column.layout(width: 200, servers: servers)
        #expect(wide.count == Column.all.count, "every column when there is room")
    }

    @Test func theTransportColumnShowsTheWholeRevision() {
        let state = RenderTests.state(width: 160)
        #expect(rows(Renderer.render(state))[2].contains("http 2026-07-28"))
    }

    // MARK: Numbers a server may send

    @Test func aHugeTokenLifetimeIsShownNotATrap() {
        var state = RenderTests.state()
        var servers = RenderTests.servers
        servers[0].token?.expiresAt = RenderTests.now.addingTimeInterval(1e300)
        servers[0].token?.refreshTokenExpiresAt = RenderTests.now.addingTimeInterval(1e300)
        servers[0].refreshDue = RenderTests.now.addingTimeInterval(1e300)
        servers[0].state.retryAt = RenderTests.now.addingTimeInterval(-1e300)
        _ = Reducer.reduce(&state, .snapshots(servers))
        #expect(rows(Renderer.render(state))[2].contains(">100y"))
        _ = press([.character("d")], &state)
        _ = Renderer.render(state)
    }

    // MARK: Reasons you can read

    @Test func theDescribeViewShowsALongReasonInFullAtEightyByTwentyFour() {
        var state = RenderTests.state(width: 80, height: 24)
        let reason =
            "the server refused the refresh token (https://auth.example.com/token answered 400 invalid_grant: "
            + "the refresh token was revoked by an administrator) — run 'mcptop auth legacy' to log in again"
        var servers = RenderTests.servers
        servers[2].state.reason = reason
        _ = Reducer.reduce(&state, .snapshots(servers))
        _ = press([.end, .character("d")], &state)
        #expect(state.overlay == .describe(server: "legacy", scroll: 0))
        let text = rows(Renderer.render(state)).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        let words = reason.split(separator: " ")
        #expect(text.contains(words.suffix(8).joined(separator: " ")), "the end of the reason is on screen")
        #expect(press([.character("y")], &state) == [.copy(reason)])
        _ = press([.escape], &state)
        #expect(state.overlay == nil)
    }

    @Test func routineRefreshesAreFoldedInTheHistory() {
        var server = RenderTests.servers[0]
        var history: [ConnectionState] = []
        let start = RenderTests.now.addingTimeInterval(-600)
        history.append(ConnectionState(.connecting, reason: "connecting", since: start))
        for index in 0..<12 {
            let at = start.addingTimeInterval(Double(index) * 40 + 10)
            history.append(ConnectionState(.connected, reason: "protocol 2026-07-28, 3 tools", since: at))
            history.append(
                ConnectionState(.refreshing, reason: "refreshing before expiry", since: at.addingTimeInterval(30)))
        }
        server.history = history
        let lines = DetailPane.historyLines(server, now: RenderTests.now, offset: 0).map(\.0)
        #expect(lines.contains { $0.contains("refreshed ×12, last ") })
        #expect(lines.count < 6)
    }

    @Test func factsThatStoppedBeingTrueAreNotShown() {
        var server = RenderTests.servers[0]
        server.token?.unusableReason = "the server refused the refresh token (invalid_grant)"
        server.state = ConnectionState(.needsLogin, reason: "refused", since: RenderTests.now)
        let facts = DetailPane.tokenFacts(server, now: RenderTests.now, offset: 0).map(\.0)
        #expect(facts.contains("refresh token: refused by the server"))
        #expect(!facts.contains { $0.hasPrefix("next refresh") })
        #expect(!facts.contains("refresh token: yes"))
    }

    @Test func aServerThatNeedsNoLoginDoesNotOfferOne() {
        var server = RenderTests.servers[0]
        server.token = nil
        let facts = DetailPane.tokenFacts(server, now: RenderTests.now, offset: 0).map(\.0)
        #expect(facts == ["no login needed: the server answered without one"])
    }

    // MARK: One list of keys

    @Test func theReadmeKeyTableIsTheBindingTable() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let tables = KeyBinding.markdownTables()
        if !text.contains(tables) {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-keys.md").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(tables.utf8))
            Issue.record("README.md's key tables differ from KeyBinding.all: the expected text is in \(path)")
        }
    }

    @Test func everyKeyHasOneMeaningPerScope() {
        for scope in KeyBinding.Scope.allCases {
            let keys = KeyBinding.all.filter { $0.scope == scope }.flatMap(\.keys)
            #expect(Set(keys.map { "\($0)" }).count == keys.count, "\(scope): a key bound twice")
        }
    }
}

/// The describe view's indented items (history, calls, the login's timeline) wrap within the
/// screen: a continuation row, indented two more columns, used to lose its last two characters
/// ("the refresh token's lifetime was n" / "said").
@Suite struct DescribeWrapTests {
    @Test func wrappedItemsKeepEveryCharacterWithinTheWidth() {
        let state = RenderTests.state(width: 80, height: 24)
        var server = RenderTests.servers[0]
        let reason =
            "the refresh token's lifetime was not said and the access token lasts 30 s; without a refresh token "
            + "you will log in again every 8 h, at about 12:34 — run 'mcptop auth demo' to log in again"
        server.history = [ConnectionState(.needsLogin, reason: reason, since: RenderTests.now)]
        let lines = DescribeView.lines(server, state: state, width: 78)
        #expect(lines.allSatisfy { DisplayWidth.of($0.0) <= 78 }, "every row fits")
        let text = lines.map { $0.0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(text.contains(reason), "the reason reads in full: \(text)")
    }

    @Test func anIndentedLineOfAReasonKeepsItsIndentationWhenItWraps() {
        let state = RenderTests.state(width: 60, height: 24)
        var server = RenderTests.servers[0]
        let frame = "    at Object.load (/home/user/servers/weather/node_modules/loader/index.js:120:15)"
        server.state = ConnectionState(
            .failed, reason: "exited with status 1; stderr:\n" + frame, since: RenderTests.now)
        let rows = DescribeView.lines(server, state: state, width: 58).map(\.0)
        let first = try! #require(rows.firstIndex { $0.hasPrefix(" ") && $0.contains("at Object.load") }, "\(rows)")
        // The label column (11) and the frame's own four spaces, on the row it wraps onto too.
        #expect(rows[first].hasPrefix(String(repeating: " ", count: 15) + "at"), "\(rows)")
        #expect(rows[first + 1].hasPrefix(String(repeating: " ", count: 15) + "(/home"), "\(rows)")
    }
}

/// The describe view says how long the login lasts (``LoginVerdict``) and who logged in,
/// never a token.
@Suite struct DescribeLoginTests {
    @Test func theDescribeViewShowsTheLoginVerdictAndTheAccount() {
        let state = RenderTests.state(width: 200, height: 60)
        var server = RenderTests.servers[0]
        server.token?.account = "user@example.com (tenant tenant-0000)"
        let lines = DescribeView.lines(server, state: state, width: 198).map { $0.0 }
        let text = lines.joined(separator: "\n")
        #expect(
            lines.contains {
                $0.contains(
                    "login: refresh token issued (rotation known after the first refresh); access token lasts 1h00m; "
                        + "the refresh token's lifetime was not said")
            }, "\(text)")
        #expect(lines.contains { $0.contains("account: user@example.com (tenant tenant-0000)") }, "\(text)")
        #expect(!text.contains("secret-access") && !text.contains("secret-refresh"))
    }
}
