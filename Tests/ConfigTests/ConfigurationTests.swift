import Config
import Foundation
import MCPClient
import Testing

@Suite struct ConfigurationTests {
    func parse(_ text: String, environment: [String: String] = [:]) throws(ConfigError) -> Configuration {
        try Configuration.parse(Array(text.utf8), file: "config.json", environment: environment)
    }

    @Test func readsClaudeDesktopAndCursorShapes() throws {
        let configuration = try parse(
            """
            {"mcpServers": {
              "files": {"command": "npx", "args": ["-y", "server-files", "${HOME}"], "env": {"TOKEN": "${TOKEN}"}},
              "remote": {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer ${KEY}"}}
            }}
            """, environment: ["HOME": "/home/u", "TOKEN": "t0k", "KEY": "k3y"])
        #expect(configuration.servers.map(\.name) == ["files", "remote"])
        let files = try #require(configuration.server(named: "files"))
        #expect(
            files.endpoint.transport
                == .stdio(
                    command: "npx", arguments: ["-y", "server-files", "/home/u"], environment: ["TOKEN": "t0k"],
                    workingDirectory: nil))
        #expect(files.displayTarget == "npx -y server-files ${HOME}")
        let remote = try #require(configuration.server(named: "remote"))
        #expect(remote.endpoint.transport == .streamableHTTP(url: "https://mcp.example.com/mcp"))
        #expect(remote.endpoint.headers.first?.1 == "Bearer k3y")
        #expect(remote.problem == nil)
    }

    @Test func readsGeminiAndVSCodeVariants() throws {
        let gemini = try parse(
            #"{"mcpServers": {"g": {"httpUrl": "http://127.0.0.1:9/mcp", "timeout": 5000}, "s": {"url": "http://h/sse", "type": "sse"}}}"#
        )
        #expect(gemini.server(named: "g")?.endpoint.transport == .streamableHTTP(url: "http://127.0.0.1:9/mcp"))
        #expect(gemini.server(named: "g")?.endpoint.requestTimeout == 5)
        #expect(gemini.server(named: "s")?.endpoint.transport == .legacySSE(url: "http://h/sse"))
        let vscode = try parse(
            #"{"servers": {"v": {"type": "http", "url": "https://x/mcp"}, "w": {"type": "stdio", "command": "srv"}}}"#)
        #expect(vscode.servers.map(\.endpoint.transportName) == ["http", "stdio"])
    }

    @Test func skipsDisabledServersAndReadsPins() throws {
        let configuration = try parse(
            #"{"mcpServers": {"off": {"url": "http://a/mcp", "disabled": true}, "on": {"url": "http://a/mcp", "protocolVersion": "2025-11-25"}}}"#
        )
        #expect(configuration.servers.map(\.name) == ["on"])
        #expect(configuration.servers[0].endpoint.protocolVersion == "2025-11-25")
    }

    /// A variable holding CR LF ("\r\n" is one Character) or NUL must not add a header line.
    @Test(arguments: ["v\r\nX-Injected: yes", "v\rX", "v\nX", "v\u{0}"])
    func headerValuesFromVariablesCannotBreakTheLine(value: String) throws {
        let text = #"{"mcpServers": {"a": {"url": "http://a/mcp", "headers": {"X-Key": "${KEY}"}}}}"#
        #expect {
            try parse(text, environment: ["KEY": value])
        } throws: { error in
            "\(error)".contains("single line without control characters")
        }
    }

    /// A config file over the cap is refused before it is read, naming the file and the cap.
    @Test func aConfigFileOverTheCapIsRefused() throws {
        let path = NSTemporaryDirectory() + "config-cap-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let padding = String(repeating: " ", count: Configuration.maxFileBytes)
        try ("{\"mcpServers\": {}}" + padding).write(toFile: path, atomically: false, encoding: .utf8)
        let locations = ConfigLocations.resolve(configFlag: path, stateDirFlag: "/nonexistent", environment: [:])
        #expect {
            try Configuration.load(locations, environment: [:])
        } throws: { error in
            "\(error)" == "\(path): is larger than 4 MiB, the most a config file may hold"
        }
        try ("{\"mcpServers\": {}}").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try Configuration.load(locations, environment: [:]).servers.isEmpty)
    }

    @Test func urlsWithControlCharactersAreRefused() throws {
        #expect(throws: ConfigError.self) {
            try parse(#"{"mcpServers": {"a": {"url": "http://a/${P}"}}}"#, environment: ["P": "x\u{0}y"])
        }
    }

    @Test func unsetVariableIsAProblemOfThatServerOnly() throws {
        let configuration = try parse(
            #"{"mcpServers": {"a": {"url": "http://a/mcp", "headers": {"X-Key": "${MISSING}"}}, "b": {"url": "http://b/mcp", "headers": {"X": "${D:-fallback}"}}}}"#
        )
        #expect(configuration.server(named: "a")?.problem?.contains("${MISSING}") == true)
        #expect(configuration.server(named: "b")?.problem == nil)
        #expect(configuration.server(named: "b")?.endpoint.headers.first?.1 == "fallback")
    }

    @Test func errorsNameFileLineColumnAndField() {
        let cases: [(String, String, Int, Int)] = [
            ("{\"mcpServers\": {\n  \"a\": {\"url\": 5}}}", "mcpServers.a.url", 2, 16),
            ("{\"mcpServers\": {\n  \"a\": {\"args\": [\"x\", 1], \"command\": \"c\"}}}", "mcpServers.a.args.1", 2, 23),
            ("{\"mcpServers\": {\"a\": {\"url\": \"ftp://x\"}}}", "mcpServers.a.url", 1, 30),
            ("{\"mcpServers\": {\"a\": {\"command\": \"c\", \"colour\": 1}}}", "mcpServers.a.colour", 1, 49),
            (
                "{\"mcpServers\": {\"a\": {\"url\": \"http://x/mcp\", \"protocolVersion\": \"1999\"}}}",
                "mcpServers.a.protocolVersion", 1, 65
            ),
        ]
        for (text, field, line, column) in cases {
            do {
                _ = try parse(text)
                Issue.record("expected an error for \(text)")
            } catch {
                #expect(error.field == field)
                #expect(error.line == line && error.column == column, "\(error)")
                #expect(error.description.hasPrefix("config.json:\(line):\(column): \(field): "))
            }
        }
    }

    @Test func syntaxErrorsPointAtThePlace() {
        do {
            _ = try parse("{\"mcpServers\": {\n\"a\": {\"url\": \"http://x\",}\n}}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.field == nil)
        }
        #expect(throws: ConfigError.self) { try parse("{}") }
        #expect(throws: ConfigError.self) { try parse("[]") }
    }

    @Test func locationsFollowFlagsThenEnvironmentThenXDG() {
        let environment = ["HOME": "/h", "XDG_CONFIG_HOME": "/xc", "MCPTOP_STATE_DIR": "/st"]
        let defaults = ConfigLocations.resolve(configFlag: nil, stateDirFlag: nil, environment: environment)
        #expect(defaults.configFile == "/xc/mcptop/config.json")
        #expect(!defaults.configFileWasChosen)
        #expect(defaults.stateDirectory == "/st")
        let chosen = ConfigLocations.resolve(
            configFlag: "/c.json", stateDirFlag: "/s", environment: ["HOME": "/h", "MCPTOP_CONFIG": "/e.json"])
        #expect(chosen.configFile == "/c.json" && chosen.configFileWasChosen && chosen.stateDirectory == "/s")
        let bare = ConfigLocations.resolve(configFlag: nil, stateDirFlag: nil, environment: ["HOME": "/h"])
        #expect(bare.configFile == "/h/.config/mcptop/config.json")
        #expect(bare.stateDirectory == "/h/.local/state/mcptop")
    }

    @Test func variableExpansion() {
        #expect(VariableExpansion.expand("a ${X} $$ ${Y:-d} $Z", environment: ["X": "1"]) == ("a 1 $ d $Z", []))
        #expect(VariableExpansion.expand("${NOPE}", environment: [:]).1 == ["NOPE"])
        // "}" and "$" followed by a combining mark are still seen (scalars, not Characters).
        #expect(VariableExpansion.expand("${X}\u{301}", environment: ["X": "1"]) == ("1\u{301}", []))
        #expect(VariableExpansion.expand("$\u{301}{X}", environment: ["X": "1"]) == ("$\u{301}{X}", []))
        #expect(VariableExpansion.expand("${X:-a:-b}", environment: [:]) == ("a:-b", []))
    }
}
