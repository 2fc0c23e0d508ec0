import Foundation
import Support
import Testing

@testable import Config

@Suite struct ImportTests {
    func reads(_ home: FixtureHome, clients: [ForeignClient] = []) -> [ForeignConfigRead] {
        ForeignConfigReader.readAll(environment: home.environment, projectDirectory: home.project, clients: clients)
    }

    func server(_ name: String, in reads: [ForeignConfigRead]) throws -> ForeignServer {
        try #require(reads.flatMap(\.servers).first { $0.name == name }, "no server \(name)")
    }

    @Test func findsEveryClientsFilesUnderHomeAndTheProject() throws {
        let home = try FixtureHome("home")
        let found = reads(home).map { $0.file.path.replacingOccurrences(of: home.root + "/", with: "") }
        #expect(
            found == [
                ".config/Claude/claude_desktop_config.json", ".claude.json", ".cursor/mcp.json",
                ".gemini/settings.json",
                ".config/Code/User/mcp.json", ".config/Code/User/settings.json", ".codeium/windsurf/mcp_config.json",
                ".codex/config.toml", ".config/zed/settings.json", ".config/opencode/opencode.json",
                ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
                ".config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
                "project/.mcp.json", "project/.cursor/mcp.json", "project/.gemini/settings.json",
                "project/.vscode/mcp.json", "project/.roo/mcp.json",
            ])
        #expect(reads(home).allSatisfy { $0.failure == nil })
    }

    @Test func honoursXDGConfigHome() throws {
        let home = try FixtureHome("home")
        var environment = home.environment
        environment["XDG_CONFIG_HOME"] = home.root + "/nowhere"
        let found = ForeignConfigReader.readAll(environment: environment, projectDirectory: home.project)
        #expect(!found.contains { $0.file.path.contains("/.config/") })
        #expect(found.contains { $0.file.path == home.root + "/.cursor/mcp.json" })
        environment["XDG_CONFIG_HOME"] = home.root + "/.config"
        let again = ForeignConfigReader.readAll(environment: environment, projectDirectory: home.project)
        #expect(again.contains { $0.file.client == .zed })
    }

    @Test func fromLimitsTheClients() throws {
        let home = try FixtureHome("home")
        let found = reads(home, clients: [.codex, .zed])
        #expect(Set(found.map(\.file.client)) == [.codex, .zed])
    }

    @Test func convertsEachDialectToMcptops() throws {
        let home = try FixtureHome("home")
        let all = reads(home)
        #expect(
            try server("filesystem", in: all).entry == [
                "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/user/Desktop"],
            ])
        // mcp-remote in front of a remote server: mcptop talks to the URL itself.
        #expect(try server("linear", in: all).entry == ["url": "https://mcp.linear.app/sse"])
        // Claude Code: user scope, the current project's local scope, and not another project's.
        #expect(
            try server("sentry", in: all).entry == [
                "url": "https://mcp.sentry.dev/mcp", "type": "http",
                "oauth": ["clientId": "sentry-cli", "redirectPort": 8080],
            ])
        #expect(try server("local-db", in: all).entry == ["command": "db-mcp", "args": ["--readonly"]])
        #expect(!all.flatMap(\.servers).contains { $0.name == "not-this-project" })
        #expect(
            try server("api", in: all).entry == [
                "url": "${API_BASE_URL:-https://api.example.com}/sse", "type": "sse",
                "headers": ["Authorization": "Bearer ${API_KEY}"],
            ])
        // Cursor's and VS Code's variables become mcptop's.
        #expect(try server("github", in: all).entry?["headers"] == ["Authorization": "Bearer ${GITHUB_TOKEN}"])
        #expect(try server("scratch", in: all).entry?["args"] == ["${HOME}/mcp/scratch.py"])
        #expect(try server("scratch", in: all).ignoredSettings == ["envFile"])
        #expect(try server("docs", in: all).entry?["args"] == [.string(home.project + "/docs")])
        // Gemini CLI: httpUrl is HTTP, url is SSE, $VAR is ${VAR}, timeout in ms.
        #expect(
            try server("stripe", in: all).entry == [
                "url": "https://mcp.stripe.com", "type": "http", "timeout": 30000, "oauth": ["scopes": ["read"]],
            ])
        #expect(
            try server("legacy", in: all).entry == [
                "url": "http://localhost:9000/sse", "type": "sse", "headers": ["X-Key": "${LEGACY_KEY}"],
            ])
        #expect(try server("stripe", in: all).ignoredSettings == ["oauth.enabled", "trust"])
        #expect(try server("weather", in: all).entry?["env"] == ["API_KEY": "${WEATHER_KEY}"])
        #expect(try server("weather", in: all).ignoredSettings == ["includeTools"])
        #expect(try server("wiki", in: all).entry?["disabled"] == true)
        // VS Code: mcp.json, settings.json's mcp.servers, the workspace file.
        #expect(try server("playwright", in: all).entry == ["command": "npx", "args": ["@playwright/mcp@latest"]])
        #expect(try server("old-style", in: all).entry == ["url": "https://old.example.com/sse", "type": "sse"])
        #expect(
            try server("workspace-tool", in: all).entry == [
                "command": "node", "args": [.string(home.project + "/tools/mcp.js")], "env": ["DEBUG": "${DEBUG}"],
            ])
        let input = try server("asks-for-input", in: all)
        #expect(input.entry == nil)
        #expect(input.problem?.contains("${input:pat}") == true)
        // Windsurf's serverUrl; Cline's streamableHttp.
        #expect(
            try server("figma", in: all).entry == [
                "url": "https://mcp.figma.com/mcp", "headers": ["X-Client": "windsurf"],
            ])
        #expect(try server("cline-remote", in: all).entry == ["url": "https://cline.example.com/mcp", "type": "http"])
        #expect(try server("roo-tool", in: all).entry == ["command": "roo-mcp"])
    }

    @Test func anEntryNeedingAnUnsetVariableForItsURLWaitsForIt() throws {
        let home = try FixtureHome("home")
        let unset = try server("team", in: reads(home, clients: [.cursor]))
        #expect(unset.entry == nil)
        #expect(unset.problem?.hasSuffix("(with the variables as they are set now: set them and import again)") == true)
        var environment = home.environment
        environment["TEAM_MCP_URL"] = "https://team.example.com"
        let set = ForeignConfigReader.readAll(
            environment: environment, projectDirectory: home.project, clients: [.cursor])
        #expect(try server("team", in: set).entry == ["url": "${TEAM_MCP_URL}/mcp"])
    }

    @Test func readsCodexTOML() throws {
        let home = try FixtureHome("home")
        let all = reads(home, clients: [.codex])
        #expect(
            try server("context7", in: all).entry == [
                "command": "npx", "args": ["-y", "@upstash/context7-mcp"], "env": ["LOG_LEVEL": "warn"],
                "timeout": 45000,
            ])
        #expect(try server("context7", in: all).ignoredSettings == ["startup_timeout_sec"])
        #expect(
            try server("figma-codex", in: all).entry == [
                "url": "https://mcp.figma.com/mcp", "type": "http",
                "headers": [
                    "X-Figma-Region": "us-east-1", "X-Org": "${FIGMA_ORG}",
                    "Authorization": "Bearer ${FIGMA_OAUTH_TOKEN}",
                ],
            ])
        #expect(try server("off", in: all).entry == ["command": "off-mcp", "disabled": true])
    }

    @Test func readsZedAndOpencode() throws {
        let home = try FixtureHome("home")
        let all = reads(home, clients: [.zed, .opencode])
        #expect(
            try server("postgres", in: all).entry == [
                "command": "postgres-mcp", "args": ["postgres://localhost/db"], "env": ["PGSSLMODE": "disable"],
            ])
        #expect(try server("old-zed", in: all).entry == ["command": "/usr/local/bin/old-mcp", "args": ["--stdio"]])
        #expect(try server("remote-zed", in: all).entry?["url"] == "https://zed-remote.example.com/mcp")
        #expect(try server("from-extension", in: all).problem?.contains("Zed extension") == true)
        #expect(
            try server("jira", in: all).entry == [
                "url": "https://jira.example.com/mcp", "headers": ["X-Team": "core"],
            ])
        #expect(
            try server("shell", in: all).entry == [
                "command": "bun", "args": ["x", "shell-mcp"], "env": ["SHELL_MODE": "safe"], "timeout": 8000,
            ])
        #expect(try server("mystery", in: all).problem?.contains("carrier-pigeon") == true)
    }

    @Test func reportsMalformedFilesAndKeepsGoing() throws {
        let home = try FixtureHome("broken-home")
        let all = reads(home)
        func failure(_ suffix: String) -> String? { all.first { $0.file.path.hasSuffix(suffix) }?.failure }
        #expect(failure(".cursor/mcp.json")?.contains(":1:") == true)
        #expect(failure(".codex/config.toml")?.hasPrefix(home.root + "/.codex/config.toml:1:") == true)
        #expect(
            failure(".gemini/settings.json")?.contains("mcpServers must be an object of servers, found an array")
                == true)
        #expect(failure(".config/zed/settings.json") != nil)
        // Windsurf's file is fine; two of its entries are not.
        let windsurf = try #require(all.first { $0.file.client == .windsurf })
        #expect(windsurf.failure == nil)
        #expect(try server("fine", in: all).entry == ["url": "https://fine.example.com/mcp"])
        #expect(try server("number", in: all).problem == "the entry must be an object, found a number")
        #expect(try server("no-target", in: all).problem == "has neither a command nor a URL")
        let plan = try ImportPlan.make(reads: all, configFile: home.root + "/mcptop.json", existing: nil, force: false)
        #expect(plan.failures.count == 4)
        #expect(plan.outcomes.filter { $0.action == .add }.map(\.server.name) == ["fine"])
    }

    @Test func keepsExistingNamesUnlessForcedAndSkipsDuplicates() throws {
        let home = try FixtureHome("home")
        let all = reads(home)
        let existing = Array(
            #"{"mcpServers": {"sentry": {"url": "https://mine.example.com/mcp"}, "playwright": {"command": "npx", "args": ["@playwright/mcp@latest"]}}, "mcptop": {"theme": "dark"}}"#
                .utf8)
        let plan = try ImportPlan.make(reads: all, configFile: "config.json", existing: existing, force: false)
        func action(_ name: String) -> ImportOutcome.Action? { plan.outcomes.first { $0.server.name == name }?.action }
        #expect(
            action("sentry") == .skip(reason: "mcptop's config has another server of this name (--force replaces it)"))
        #expect(action("playwright") == .skip(reason: "already in mcptop's config"))
        #expect(action("filesystem") == .add)
        // Cursor's "sentry" is a second server of that name.
        let cursorSentry = try #require(plan.outcomes.last { $0.server.name == "sentry" })
        #expect(cursorSentry.server.client == .cursor)
        // A name mcptop cannot use is reported, not imported.
        #expect(action("roo project").map { "\($0)" }?.contains("without spaces") == true)
        #expect(plan.document["mcptop"] == ["theme": "dark"])
        #expect(plan.document["mcpServers"]?["sentry"] == ["url": "https://mine.example.com/mcp"])

        let forced = try ImportPlan.make(reads: all, configFile: "config.json", existing: existing, force: true)
        #expect(forced.outcomes.first { $0.server.name == "sentry" }?.action == .replace)
        #expect(forced.document["mcpServers"]?["sentry"]?["url"] == "https://mcp.sentry.dev/mcp")
        if case .skip(let reason) = forced.outcomes.last(where: { $0.server.name == "sentry" })?.action {
            #expect(reason.contains("the name is taken by the server from \(home.root)/.claude.json"))
        } else {
            Issue.record("Cursor's sentry should be skipped")
        }
    }

    @Test func theImportedConfigIsOneMcptopReads() throws {
        let home = try FixtureHome("home")
        let plan = try ImportPlan.make(reads: reads(home), configFile: "config.json", existing: nil, force: false)
        let configuration = try Configuration.parse(
            Array(plan.document.prettyPrinted().utf8), file: "config.json", environment: ["API_KEY": "k"])
        let added = plan.outcomes.filter { $0.action == .add }.map(\.server.name)
        // Disabled servers are imported as disabled, and mcptop leaves them out.
        #expect(Set(configuration.servers.map(\.name)) == Set(added).subtracting(["wiki", "off"]))
        #expect(added.count > 20)
    }

    @Test func writesWithABackupAndLeavesForeignFilesAlone() throws {
        let home = try FixtureHome("home")
        let configFile = home.root + "/.config/mcptop/config.json"
        try FileManager.default.createDirectory(
            atPath: home.root + "/.config/mcptop", withIntermediateDirectories: true)
        let before = Array(#"{"mcpServers": {"mine": {"url": "https://mine.example.com/mcp"}}}"#.utf8)
        _ = FileManager.default.createFile(atPath: configFile, contents: Data(before))
        let foreign = try home.fingerprints(excluding: home.root + "/.config/mcptop")
        let all = reads(home)
        let plan = try ImportPlan.make(reads: all, configFile: configFile, existing: before, force: false)
        let backup = try #require(try plan.write(now: Date(timeIntervalSince1970: 1_800_000_000)))
        #expect(backup == configFile + ".2027-01-15T080000Z.bak")
        #expect(FileManager.default.contents(atPath: backup).map(Array.init) == before)
        let written = try Configuration.load(
            ConfigLocations(configFile: configFile, configFileWasChosen: true, stateDirectory: home.root))
        #expect(written.server(named: "mine") != nil)
        #expect(written.server(named: "context7") != nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: configFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try home.fingerprints(excluding: home.root + "/.config/mcptop") == foreign)
    }

    @Test func aBrokenMcptopConfigStopsTheImport() throws {
        let home = try FixtureHome("home")
        #expect(throws: ConfigError.self) {
            try ImportPlan.make(
                reads: reads(home), configFile: "config.json", existing: Array("{oops".utf8), force: false)
        }
    }

    @Test func stripsCommentsAndTrailingCommasKeepingPositions() throws {
        let text = "{\n  // a comment with \"quotes\"\n  \"a\": \"// not a comment\", /* block\n */ \"b\": [1, 2,],\n}"
        let value = try JSONValue.parse(JSONWithComments.strip(Array(text.utf8)))
        #expect(value == ["a": "// not a comment", "b": [1, 2]])
    }
}

@Suite struct ImportSummaryTests {
    @Test func saysWhatWasReadAddedAndSkippedAndWhy() throws {
        let home = try FixtureHome("broken-home")
        let reads = ForeignConfigReader.readAll(environment: home.environment, projectDirectory: home.project)
        let plan = try ImportPlan.make(reads: reads, configFile: home.root + "/c.json", existing: nil, force: false)
        let lines = ImportSummary.lines(plan, reads: reads, dryRun: true)
        #expect(
            lines.contains(
                "Cursor (user) \(home.root)/.cursor/mcp.json: malformed, skipped: 1:60: expected a quoted key, found '}'"
            ))
        #expect(lines.contains("Windsurf (user) \(home.root)/.codeium/windsurf/mcp_config.json: 3 servers"))
        #expect(lines.contains("would add fine (https://fine.example.com/mcp) from Windsurf"))
        #expect(lines.contains("skipped no-target from Windsurf: has neither a command nor a URL"))
        #expect(lines.last == "1 to add, 0 to replace, 2 skipped, 4 malformed files")
        let full = try FixtureHome("home")
        let imported = try ImportPlan.make(
            reads: ForeignConfigReader.readAll(
                environment: full.environment, projectDirectory: "/nowhere", clients: [.gemini]),
            configFile: "c.json", existing: nil, force: false)
        #expect(
            ImportSummary.lines(imported, reads: [], dryRun: false).contains(
                "added stripe (https://mcp.stripe.com) from Gemini CLI"))
    }
}
