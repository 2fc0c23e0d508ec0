import Dashboard
import Foundation
import OAuth
import SnapshotTesting
import Support
import Testing

@testable import MCPClient
@testable import Monitor

/// Text snapshots of the pure renderer (CI runs with SNAPSHOT_TESTING_RECORD=never, so a
/// missing or different reference fails).
@Suite struct RenderTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func state(width: Int = 100, height: Int = 30) -> DashboardState {
        var state = DashboardState(
            now: now, width: width, height: height, themeName: "dark", configFile: "~/.config/mcptop/config.json")
        state.servers = servers
        state.utcOffset = 0
        return state
    }

    static var servers: [ServerSnapshot] {
        let since = now.addingTimeInterval(-120)
        var token = TokenSummary(
            Credential(
                serverURL: "https://mcp.example.com/mcp", resource: "https://mcp.example.com/mcp",
                issuer: "https://auth.example.com", clientID: "client-123",
                tokenEndpoint: "https://auth.example.com/token",
                revocationEndpoint: nil,
                tokens: TokenFixture.tokens(expiresIn: 3600),
                now: now.addingTimeInterval(-3000)))
        token.refreshCount = 3
        token.lastRefreshAt = now.addingTimeInterval(-3000)
        token.lastRefreshResult = "ok, refresh token rotated, expires_in given"
        let info = ServerInfo(
            protocolVersion: "2026-07-28", transport: .streamableHTTP, name: "acme", version: "1.0", instructions: nil,
            capabilities: [:], sessionID: nil)
        let call = CallRecord(
            id: 1, tool: "search", argumentsDigest: #"q="weather""#, startedAt: now.addingTimeInterval(-30),
            duration: 0.142, outcome: .ok, lastProgress: nil, detail: "3 results", result: nil)
        let failed = CallRecord(
            id: 2, tool: "write", argumentsDigest: #"path="/tmp/x""#, startedAt: now.addingTimeInterval(-10),
            duration: 0.031, outcome: .isError, lastProgress: nil, detail: "permission denied", result: nil)
        return [
            ServerSnapshot(
                name: "acme", transport: "http", target: "https://mcp.example.com/mcp",
                state: ConnectionState(.connected, reason: "protocol 2026-07-28, 12 tools", since: since),
                history: [
                    ConnectionState(.connecting, reason: "connecting to https://mcp.example.com/mcp", since: since)
                ],
                serverInfo: info, tools: [], token: token, calls: [call, failed],
                authSteps: [
                    AuthStep(
                        time: now.addingTimeInterval(-3000), action: "POST https://auth.example.com/token (refresh)",
                        outcome: "HTTP 200")
                ],
                callCount: 2, errorCount: 1, refreshDue: now.addingTimeInterval(540)),
            ServerSnapshot(
                name: "files", transport: "stdio", target: "npx -y server-files /home/me",
                state: ConnectionState(
                    .backoff, reason: "the server process exited with status 1", since: since,
                    retryAt: now.addingTimeInterval(7)),
                history: [], serverInfo: nil, tools: [], token: nil, calls: [], authSteps: [], callCount: 0,
                errorCount: 0,
                refreshDue: nil, usesOAuth: false),
            ServerSnapshot(
                name: "legacy", transport: "http", target: "https://old.example.com/mcp",
                state: ConnectionState(
                    .needsLogin, reason: "the server refused the refresh token (invalid_grant)", since: since),
                history: [], serverInfo: nil, tools: [], token: nil, calls: [], authSteps: [], callCount: 0,
                errorCount: 0,
                refreshDue: nil),
        ]
    }

    /// Rows kept from earlier frames must never show what a fresh render would not: step
    /// through ticks (whole and part seconds), a new fetch, a resize, a selection, a filter
    /// and the ASCII mode, comparing every frame with a render from scratch.
    @Test func rowsKeptFromEarlierFramesMatchAFreshRender() {
        var steps: [(String, (inout DashboardState) -> Void)] = [
            ("first frame", { _ in }),
            ("same second", { _ in }),
            ("a second later", { $0.now += 1 }),
            ("part of a second", { $0.now += 0.4 }),
            ("a minute later", { $0.now += 61 }),
            ("new fetch", { $0.servers[0].state.reason = "protocol 2026-07-28, 13 tools" }),
            ("resize", { $0.width = 120 }),
            // Column widths repeat across these sizes; rows kept from a wider screen must not be.
            ("resize to 140×40", { ($0.width, $0.height) = (140, 40) }),
            ("resize to 60×15", { ($0.width, $0.height) = (60, 15) }),
            ("resize to 80×24", { ($0.width, $0.height) = (80, 24) }),
            ("selection", { $0.select(row: 2) }),
            ("filter", { $0.filter = "le" }),
            ("filter cleared", { $0.filter = "" }),
        ]
        steps.append(("after the retry", { $0.now += 30 }))
        for unicode in [true, false] {
            var state = Self.state()
            var memo = Renderer.RowMemo()
            for (name, change) in steps {
                change(&state)
                let kept = Renderer.render(state, unicode: unicode, memo: &memo)
                let fresh = Renderer.render(state, unicode: unicode)
                #expect(kept.text == fresh.text, "\(name), unicode \(unicode)")
                let sameCells = kept == fresh
                #expect(sameCells, "\(name), unicode \(unicode): the same text, other roles")
            }
        }
    }

    @Test func mainScreen() {
        assertSnapshot(of: Renderer.render(Self.state()).text, as: .lines)
    }

    @Test func mainScreenInASCII() {
        assertSnapshot(of: Renderer.render(Self.state(), unicode: false).text, as: .lines)
    }

    @Test func helpOverlay() {
        var state = Self.state()
        _ = Reducer.reduce(&state, .key(.character("?")))
        assertSnapshot(of: Renderer.render(state).text, as: .lines)
    }

    @Test func toolPaneWithAGeneratedForm() {
        var state = ReducerTests.state
        var servers = state.servers
        servers[0].tools.insert(
            Tool(
                json: [
                    "name": "configure", "description": "Configures a profile.",
                    "inputSchema": [
                        "type": "object",
                        "properties": [
                            "profile": [
                                "type": "object",
                                "properties": [
                                    "name": ["type": "string"], "level": ["type": "integer", "minimum": 1],
                                ],
                                "required": ["name"],
                            ],
                            "mode": ["type": "string", "enum": ["fast", "safe"], "default": "safe"],
                            "dryRun": ["type": "boolean"],
                        ],
                        "required": ["profile", "mode"],
                    ],
                ])!, at: 0)
        state.servers = servers
        _ = Reducer.reduce(&state, .key(.character("t")))
        _ = Reducer.reduce(&state, .key(.tab))
        _ = Reducer.reduce(&state, .key(.function(5)))  // refused: shows the field errors
        assertSnapshot(of: Renderer.render(state).text, as: .lines)
    }

    @Test func tinyTerminal() {
        assertSnapshot(of: Renderer.render(Self.state(width: 40, height: 8)).text, as: .lines)
    }

    @Test func emptyConfiguration() {
        var state = Self.state()
        state.servers = []
        assertSnapshot(of: Renderer.render(state).text, as: .lines)
    }

    /// At 80×24 the advice wraps as one paragraph (it left "is" alone on a line).
    @Test func emptyConfigurationAt80x24() {
        var state = Self.state(width: 80, height: 24)
        state.servers = []
        assertSnapshot(of: Renderer.render(state).text, as: .lines)
    }

    /// The title counts in good English: "1 needs attention", "2 need attention".
    @Test func theTitleSaysNeedsForOneServer() {
        func title(_ state: DashboardState) -> String { Renderer.render(state).rows[0].map(\.text).joined() }
        var state = Self.state()
        #expect(title(state).contains("✖ 2 need attention"))
        state.servers = Array(state.servers.prefix(2))
        #expect(title(state).contains("✖ 1 needs attention"), "\(title(state))")
    }

    /// The footer offers only what works: with no server shown, nothing that acts on one;
    /// a filter that matches nothing can still be changed.
    @Test func theFooterLeavesOutKeysWithNoServerToActOn() {
        func footer(_ state: DashboardState) -> String {
            let screen = Renderer.render(state)
            return screen.rows[screen.height - 1].map(\.text).joined()
        }
        var state = Self.state()
        #expect(footer(state).contains("tTools"))
        state.filter = "matches-nothing"
        #expect(!footer(state).contains("tTools") && !footer(state).contains("cReconnect"))
        #expect(footer(state).contains("/Filter") && footer(state).contains("qQuit"))
        state.filter = ""
        state.servers = []
        #expect(!footer(state).contains("/Filter") && footer(state).contains("qQuit"))
    }

    @Test func rolesColourTheCountdownAndTheSelection() {
        let screen = Renderer.render(Self.state())
        let row = 2  // the first server
        #expect(screen.role(row: row, column: 0) == .selected)
        let legacyRow = 4
        let line = screen.rows[legacyRow].map(\.text).joined()
        guard let range = line.range(of: "needsLogin") else {
            Issue.record("no needsLogin in \(line)")
            return
        }
        let column = line.distance(from: line.startIndex, to: range.lowerBound)
        #expect(screen.role(row: legacyRow, column: column) == .error)
    }

    @Test func wideCharactersTakeTwoColumns() {
        var screen = Screen(width: 10, height: 1)
        let end = screen.write("日本🟢x", row: 0, column: 0, role: .normal)
        #expect(end == 7)
        #expect(screen.text == "日本🟢x")
        var narrow = Screen(width: 5, height: 1)
        narrow.write("日本🟢", row: 0, column: 0, role: .normal)
        #expect(narrow.text == "日本…", "a wide character that does not fit is left out, and the cut shows")
    }
}

enum TokenFixture {
    static func tokens(expiresIn: Double) -> TokenResponse {
        let json: JSONValue = [
            "access_token": "secret-access-abcd", "token_type": "Bearer", "expires_in": .double(expiresIn),
            "refresh_token": "secret-refresh-wxyz", "scope": "read write",
        ]
        return TokenResponse(json: json)!
    }
}
