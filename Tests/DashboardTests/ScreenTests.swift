import Testing

@testable import Dashboard

@Suite struct ScreenTests {
    @Test func glyphsKeepUpToFiveScalars() {
        for text in ["a", "é", "e\u{301}", "日", "🟢", "❤️", "🇫🇷", "👩‍💻", "👨‍👩‍👧"] {
            let character = Character(text)
            #expect(Glyph(character).text == text, "\(text)")
            #expect(Glyph(character).count == character.unicodeScalars.count)
        }
        // ncurses keeps five scalars per cell; a longer sequence keeps its first five.
        let family = Character("👨‍👩‍👧‍👦")
        #expect(Glyph(family).count == 5)
        #expect(Glyph(family).text == String(String.UnicodeScalarView(family.unicodeScalars.prefix(5))))
        #expect(Glyph(ascii: UInt8(ascii: "x")) == Glyph("x"))
        #expect(Glyph().count == 0 && Glyph().text.isEmpty)
        #expect(Glyph("\u{10FFFF}").scalar(0) == 0x10FFFF)
    }

    /// The field writer fills the same cells as writing the padded text, in both drawing modes.
    @Test func fieldsMatchWritingThePaddedText() {
        let texts = [
            "", "abc", "exactly-10", "a much longer name than fits", "● connected 00:12 ok", "日本語のサーバー",
            "🟢 up", "e\u{301}tat", "x\u{301}\u{302}", "…", "tab\there",
        ]
        for unicode in [true, false] {
            for text in texts where unicode || DisplayWidth.of(text) == text.count {
                for width in [0, 1, 2, 3, 5, 10, 12, 30] {
                    var padded = Screen(width: 40, height: 1, unicode: unicode)
                    var field = padded
                    padded.write(DisplayWidth.pad(text, to: width), row: 0, column: 3, role: .ok)
                    let end = field.write(text, row: 0, column: 3, role: .ok, field: width)
                    #expect(field == padded, "\(text) in \(width), unicode \(unicode)")
                    #expect(end == 3 + width)
                }
            }
        }
        // Clipped at both edges of the screen like any write.
        var screen = Screen(width: 6, height: 1)
        screen.write("abcdefgh", row: 0, column: -2, role: .ok, field: 10)
        #expect(screen.text == "cdefgh", "the cut (column 7) is off the screen")
    }
}
