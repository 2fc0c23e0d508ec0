import Testing

@testable import Support

@Suite struct TerminalTextTests {
    @Test func escapesSequencesAServerCouldSend() {
        #expect(TerminalText.sanitized("\u{1B}]0;owned\u{07}title") == "\\x1b]0;owned\\x07title")
        #expect(TerminalText.sanitized("\u{1B}]52;c;ZXZpbA==\u{1B}\\") == "\\x1b]52;c;ZXZpbA==\\x1b\\")
        #expect(TerminalText.sanitized("\u{1B}[2J\u{1B}[H") == "\\x1b[2J\\x1b[H")
        #expect(TerminalText.sanitized("\u{9B}31m C1 CSI") == "\\u009b31m C1 CSI")
        #expect(TerminalText.sanitized("nul\u{0}cr\r") == "nul\\x00cr\\x0d")
        #expect(TerminalText.sanitized("a\u{202E}cod.exe") == "a\\u202ecod.exe")
        #expect(TerminalText.sanitized("\u{2066}x\u{2069}\u{200B}\u{FEFF}") == "\\u2066x\\u2069\\u200b\\ufeff")
        #expect(TerminalText.sanitized("del\u{7F}") == "del\\x7f")
        #expect(TerminalText.sanitized("\u{E0001}") == "\\U000e0001")
    }

    @Test func aNewlineCannotStartALineOfItsOwn() {
        #expect(TerminalText.sanitized("ok\n12:00:00  acme  state  forged") == "ok ⏎ 12:00:00  acme  state  forged")
        #expect(TerminalText.sanitized("a\r\nb", layout: .line) == "a ⏎ b")
        #expect(TerminalText.sanitized("a\rb\r") == "a\\x0db\\x0d")
        #expect(TerminalText.sanitized("a\n\n\u{1B}[2Jb") == "a ⏎ ⏎ \\x1b[2Jb")
    }

    /// A message of several lines of mcptop's own (a stdio server's stderr after its exit)
    /// reads as one line in `watch`: one mark per break, the indentation gone.
    @Test func aMessageOfSeveralLinesReadsAsOne() {
        let message = "the server process exited with status 1; its stderr ends with:\n  Traceback:\n  \tboom  \n  done"
        #expect(
            TerminalText.sanitized(message)
                == "the server process exited with status 1; its stderr ends with: ⏎ Traceback: ⏎ boom ⏎ done")
    }

    @Test func severalLinesKeepNewlinesAndTabsOnly() {
        #expect(TerminalText.sanitized("a\r\nb\n\tc\rd", layout: .lines) == "a\nb\n\tc\\x0dd")
        #expect(TerminalText.sanitized("x\u{1B}[1Ay", layout: .lines) == "x\\x1b[1Ay")
    }

    @Test func keepsPrintableTextEmojiAndScripts() {
        for text in ["plain", "café", "名前", "👩‍👩‍👧", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "नमस्ते", "e\u{301}", "میخواهم", "C:\\path"] {
            #expect(TerminalText.sanitized(text) == text)
        }
    }

    /// The property the fuzz target checks too: whatever comes in, nothing a terminal acts on
    /// comes out, and the escapes are printable ASCII.
    @Test func outputHasNoControlWhateverTheInput() {
        var generator = SeededGenerator(seed: 17)
        let interesting: [UInt32] = [0, 0x07, 0x0A, 0x0D, 0x1B, 0x7F, 0x85, 0x9B, 0x9C, 0xAD, 0x61C, 0x200D, 0x202E]
        for _ in 0..<2000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...24, using: &generator) {
                let value: UInt32 =
                    Bool.random(using: &generator)
                    ? interesting.randomElement(using: &generator)! : UInt32.random(in: 0...0x10FFFF, using: &generator)
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let text = String(scalars)
            let line = TerminalText.sanitized(text, layout: .line)
            #expect(!line.unicodeScalars.contains(where: TerminalText.isUnsafe), "\(text.debugDescription)")
            let lines = TerminalText.sanitized(text, layout: .lines)
            #expect(
                !lines.unicodeScalars.contains { TerminalText.isUnsafe($0) && $0 != "\n" && $0 != "\t" },
                "\(text.debugDescription)")
        }
    }
}
