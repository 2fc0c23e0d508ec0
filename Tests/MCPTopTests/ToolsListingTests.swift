import Testing

@testable import mcptop

@Suite struct ToolsListingTests {
    /// Emoji, combining and wide names are padded by display width and never cut in the middle
    /// of a character (`padding(toLength:)` counted UTF-16 units and cut 👩‍💻 in two).
    @Test func namesArePaddedByDisplayWidthAndNeverCut() {
        let rows = ToolsCommand.rows([
            ("👩‍💻deploy", "ships it"), ("e\u{301}tat", "state"), ("日本", "wide"), ("plain", "first\nsecond"),
        ])
        #expect(rows == ["  👩‍💻deploy  ships it", "  e\u{301}tat      state", "  日本      wide", "  plain     first"])
        #expect(rows.allSatisfy { $0.unicodeScalars.filter { $0.value == 0xFFFD }.isEmpty })
    }

    @Test func aNameWithEscapesIsMeasuredAsShown() {
        let rows = ToolsCommand.rows([("a\u{1B}[2J", "x"), ("bb", "y")])
        #expect(rows == ["  a\\x1b[2J  x", "  bb        y"])
    }
}
