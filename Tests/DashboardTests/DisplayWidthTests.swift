import Testing

@testable import Dashboard

@Suite struct DisplayWidthTests {
    /// The fast path for drawing characters must agree with the Unicode properties for every
    /// scalar it claims, and must not claim a scalar from outside its ranges.
    @Test func narrowSymbolsAgreeWithUnicodeProperties() {
        var claimed = 0
        for value in UInt32(0x1F00)...0x2700 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let character = Character(scalar)
            guard DisplayWidth.isNarrowSymbol(character) else { continue }
            claimed += 1
            #expect(DisplayWidth.propertyWidth(character) == 1, "U+\(String(value, radix: 16))")
        }
        #expect(
            claimed == (0x2027 - 0x2010 + 1) + (0x205E - 0x2030 + 1) + (0x21FF - 0x2190 + 1) + (0x25FC - 0x2500 + 1))
        #expect(!DisplayWidth.isNarrowSymbol("e\u{301}"))
        #expect(!DisplayWidth.isNarrowSymbol("●\u{FE0F}"), "a variation selector makes it a two-scalar cluster")
        #expect(DisplayWidth.of("◽") == 2, "emoji presentation stays wide (U+25FD is outside the fast range)")
    }

    @Test func widthsOfText() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("● ok…") == 5)
        #expect(DisplayWidth.of("日本") == 4)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("🟢") == 2)
    }

    /// Bidi overrides and other format characters take no column (the screen drops them), so a
    /// server name holding one does not push the rest of its row out of line.
    @Test func bidiAndFormatCharactersTakeNoColumn() {
        for text in [
            "a\u{202E}b", "\u{2066}ab\u{2069}", "a\u{200B}b", "\u{FEFF}ab", "a\u{AD}b", "a\u{85}b", "\u{200F}ab",
        ] {
            #expect(DisplayWidth.of(text) == 2, "\(text.debugDescription)")
            var screen = Screen(width: 6, height: 1)
            screen.write(text, row: 0, column: 0, role: .ok, field: 4)
            screen.write("|", row: 0, column: 4, role: .ok)
            #expect(screen.text == "ab  |", "\(text.debugDescription)")
        }
        #expect(DisplayWidth.of("👩\u{200D}💻") == 2, "the zero-width joiner inside an emoji stays")
    }

    @Test func truncateAndPadMeasureOnce() {
        #expect(DisplayWidth.truncate("abcdef", to: 4) == "abc…")
        #expect(DisplayWidth.truncate("abc", to: 3) == "abc")
        #expect(DisplayWidth.truncate("abc", to: 0) == "")
        #expect(DisplayWidth.truncate("日本語", to: 5) == "日本…")
        #expect(DisplayWidth.truncate("日本語", to: 4) == "日…")
        #expect(DisplayWidth.pad("日本語", to: 4) == "日… ", "the cut is 3 columns wide; one space fills it")
        #expect(DisplayWidth.pad("● ok", to: 6) == "● ok  ")
        #expect(DisplayWidth.pad("● connected and more", to: 8) == "● conne…")
        #expect(DisplayWidth.pad("ab", to: 0) == "")
    }
}
