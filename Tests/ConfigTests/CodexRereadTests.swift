import Foundation
import Testing

@testable import Config

/// Found by the `config` fuzz target (issue 17): TOMLKit 0.6 frees nothing it allocates, so every
/// parse of Codex's config.toml leaked several times its size, and the dashboard reads it every
/// 30 s. An unchanged file is no longer parsed again.
@Suite struct CodexRereadTests {
    /// A large config (300 servers, about 40 KB): TOMLKit held about 0.57 MB of it for good per read.
    static let document: [UInt8] = Array(
        (0..<300).map { index in
            """
            [mcp_servers.server-\(index)]
            url = "https://mcp\(index).example.com/mcp"
            bearer_token_env_var = "TOKEN_\(index)"
            http_headers = { "X-Region" = "us-east-\(index % 3)", "X-Team" = "platform" }

            """
        }.joined().utf8)

    /// Counted rather than measured: the process's memory moves with the tests running beside
    /// this one (before the fix, 40 reads added 22 MB resident).
    @Test func anUnchangedCodexConfigIsNotParsedAgain() {
        let file = ForeignConfigFile(
            client: .codex, path: "/home/grace/.codex/config.toml", scope: .user, dialect: .codexTOML)
        let first = ForeignConfigReader.parse(Self.document, file: file, environment: [:])
        #expect(first.failure == nil)
        #expect(first.servers.count == 300)
        let before = ForeignConfigReader.tomlParses.withLock { $0 }
        for _ in 0..<40 {
            let again = ForeignConfigReader.parse(Self.document, file: file, environment: [:])
            #expect(again.servers == first.servers)
        }
        // 40 or more before the fix; other tests may parse a few documents of their own meanwhile.
        #expect(ForeignConfigReader.tomlParses.withLock { $0 } - before < 40)
    }

    @Test func aChangedCodexConfigIsReadAgain() {
        let file = ForeignConfigFile(
            client: .codex, path: "/home/ada/.codex/config.toml", scope: .user, dialect: .codexTOML)
        let before = ForeignConfigReader.parse(
            Array("[mcp_servers.a]\nurl = \"https://a.example.com/mcp\"\n".utf8), file: file, environment: [:])
        let after = ForeignConfigReader.parse(
            Array("[mcp_servers.b]\nurl = \"https://b.example.com/mcp\"\n".utf8), file: file, environment: [:])
        #expect(before.servers.map(\.name) == ["a"])
        #expect(after.servers.map(\.name) == ["b"])
    }
}

/// Found by the `config` fuzz target (issue 17): a table header whose name begins with anything
/// but a bare-key character or a quote, or a `}` where an array's value belongs, made toml++ (in
/// TOMLKit) abort the process on an assertion (undefined behaviour in a release build). Each is
/// now a parse error naming the place.
@Suite struct CodexMalformedHeaderTests {
    func read(_ text: String) -> ForeignConfigRead {
        let file = ForeignConfigFile(
            client: .codex, path: "/home/ada/.codex/config.toml", scope: .user, dialect: .codexTOML)
        return ForeignConfigReader.parse(Array(text.utf8), file: file, environment: [:])
    }

    @Test(arguments: ["[é]", "[=]", "[!x]", "[[!]]", "[ \u{1}]", "[\u{FFFD}]", "[\n]"])
    func aHeaderThatCannotBeginANameIsAnErrorNotACrash(_ header: String) {
        let read = read("model = \"o3\"\n\n\(header)\ncommand = \"npx\"\n")
        #expect(read.servers.isEmpty)
        #expect(read.failure?.hasPrefix("/home/ada/.codex/config.toml:3:") == true, "\(read.failure ?? "no failure")")
        #expect(read.failure?.contains("a table name must begin with") == true)
    }

    @Test(arguments: ["args = [}]", "args = [\"-y\",  }", "args = [ # comment\n }", "args = [1,\n\n}]"])
    func aBraceWhereAnArrayValueBelongsIsAnErrorNotACrash(_ line: String) {
        let read = read("[mcp_servers.context7]\ncommand = \"npx\"\n\(line)\n")
        #expect(read.servers.isEmpty)
        #expect(read.failure?.hasPrefix("/home/ada/.codex/config.toml:") == true, "\(read.failure ?? "no failure")")
        #expect(read.failure?.contains("a '}' where a value of the array belongs") == true)
    }

    @Test func bracketsInsideValuesStringsAndCommentsAreNotHeaders() {
        let read = read(
            """
            # [!not a header]
            [mcp_servers.docs]
            command = "docs"
            args = [
              "[=]",
              [ "nested" ], { k = [1, 2] },
            ]
            env = { "A" = "[!]" }
            description = \"\"\"
            [!inside a multi-line string]
            \"\"\"
            note = '''
            [=] too'''

            [mcp_servers."quoted name"]
            url = "https://q.example.com/mcp"
            """)
        #expect(read.failure == nil, "\(read.failure ?? "")")
        #expect(Set(read.servers.map(\.name)) == ["docs", "quoted name"])
    }
}
