import Testing

@testable import mcptop

@Suite struct ServersTableTests {
    /// `mcptop servers` pads by display width: a wide, an emoji and an escaped name keep the
    /// columns straight (padding by Characters put 日本語 two columns right of the rest).
    @Test func columnsLineUpWhateverTheNames() {
        let text = Table.render([
            ["NAME", "TRANSPORT", "TARGET"], ["日本語", "http", "https://a.example/mcp"],
            ["👩‍💻ops", "stdio", "npx ops"], ["e\u{1B}[2J", "http", "https://b.example/mcp"],
        ])
        #expect(
            text.split(separator: "\n") == [
                "NAME      TRANSPORT  TARGET",
                "日本語    http       https://a.example/mcp",
                "👩‍💻ops     stdio      npx ops",
                "e\\x1b[2J  http       https://b.example/mcp",
            ])
    }
}
