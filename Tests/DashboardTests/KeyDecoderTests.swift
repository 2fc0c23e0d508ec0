import Dashboard
import Testing

@Suite struct KeyDecoderTests {
    /// The units `wget_wch` returns for `text`, one per scalar.
    static func units(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }

    /// The keys `text` decodes to, requiring that nothing is left unfinished.
    static func keys(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [Key] {
        let (keys, unfinished) = KeyDecoder.decode(units(text))
        #expect(unfinished.isEmpty, "\(text.debugDescription) left \(unfinished)", sourceLocation: sourceLocation)
        return keys
    }

    @Test(arguments: ["\u{1B}[1~", "\u{1B}[7~", "\u{1B}[H", "\u{1B}OH", "\u{1B}[1;5H", "\u{1B}[7$", "\u{1B}[7^"])
    func homeVariantsAreHome(sequence: String) {
        #expect(Self.keys(sequence) == [.home])
    }

    @Test(arguments: ["\u{1B}[4~", "\u{1B}[8~", "\u{1B}[F", "\u{1B}OF", "\u{1B}[1;2F", "\u{1B}[8$"])
    func endVariantsAreEnd(sequence: String) {
        #expect(Self.keys(sequence) == [.end])
    }

    @Test func arrowsInNormalAndApplicationModeWithOrWithoutModifiers() {
        for (final, key) in [("A", Key.up), ("B", .down), ("C", .right), ("D", .left)] {
            #expect(Self.keys("\u{1B}[" + final) == [key], "CSI \(final)")
            #expect(Self.keys("\u{1B}O" + final) == [key], "SS3 \(final)")
            #expect(Self.keys("\u{1B}[1;5" + final) == [key], "Ctrl")
            #expect(Self.keys("\u{1B}[1;2" + final) == [key], "Shift")
            #expect(Self.keys("\u{1B}O5" + final) == [key], "SS3 with a modifier")
            // rxvt's Shift+arrows.
            #expect(Self.keys("\u{1B}[" + final.lowercased()) == [key], "rxvt")
        }
    }

    @Test func deletePageUpPageDownAndBackTab() {
        #expect(Self.keys("\u{1B}[3~") == [.delete])
        #expect(Self.keys("\u{1B}[3;5~") == [.delete])
        #expect(Self.keys("\u{1B}[5~") == [.pageUp])
        #expect(Self.keys("\u{1B}[5;2~") == [.pageUp])
        #expect(Self.keys("\u{1B}[6~") == [.pageDown])
        #expect(Self.keys("\u{1B}[6^") == [.pageDown])
        #expect(Self.keys("\u{1B}[Z") == [.backTab])
        #expect(Self.keys("\u{1B}[1;2Z") == [.backTab])
    }

    @Test func functionKeysOneToTwelve() {
        let ss3 = ["P", "Q", "R", "S"]
        for (offset, final) in ss3.enumerated() {
            #expect(Self.keys("\u{1B}O" + final) == [.function(offset + 1)], "SS3 \(final)")
            #expect(Self.keys("\u{1B}[1;2" + final) == [.function(offset + 1)], "xterm modified \(final)")
        }
        let vt220 = [11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 23, 24]
        for (offset, number) in vt220.enumerated() {
            #expect(Self.keys("\u{1B}[\(number)~") == [.function(offset + 1)], "CSI \(number) ~")
            #expect(Self.keys("\u{1B}[\(number);5~") == [.function(offset + 1)], "CSI \(number) ; 5 ~")
        }
        // The Linux console.
        for (offset, final) in ["A", "B", "C", "D", "E"].enumerated() {
            #expect(Self.keys("\u{1B}[[" + final) == [.function(offset + 1)], "CSI [ \(final)")
        }
    }

    @Test(arguments: [
        "\u{1B}[2~",  // Insert: mcptop has no use for it
        "\u{1B}[200~", "\u{1B}[201~",  // bracketed paste markers
        "\u{1B}[?1;2c",  // a device attributes report
        "\u{1B}[99;99X",
        "\u{1B}[12;40R",  // a cursor position report, not F3
        "\u{1B}[25~",  // F13
        "\u{1B}[27;5;13~",  // xterm modifyOtherKeys
        "\u{1B}[97;5u",  // kitty's keyboard protocol
        "\u{1B}[<0;10;5M",  // an SGR mouse report
        "\u{1B}[M !!",  // an X10 mouse report
        "\u{1B}[E", "\u{1B}OE",  // the keypad's centre
        "\u{1B}[2 q", "\u{1B}[?1$y",  // intermediate bytes
    ])
    func unknownCompleteSequencesAreDroppedWhole(sequence: String) {
        #expect(Self.keys(sequence) == [])
        // Nothing of it leaks out as typing, and what follows is read normally.
        #expect(Self.keys(sequence + "x") == [.character("x")])
        #expect(Self.keys(sequence + "\u{1B}") == [.escape])
    }

    @Test func escNotStartingASequenceIsEscape() {
        #expect(Self.keys("\u{1B}") == [.escape])
        #expect(Self.keys("x\u{1B}") == [.character("x"), .escape])
        #expect(KeyDecoder.decodeEscape(following: []) == .key(.escape, length: 0))
        // Esc twice, sent together.
        #expect(Self.keys("\u{1B}\u{1B}") == [.escape, .escape])
        #expect(Self.keys("\u{1B}\u{1B}[A") == [.escape, .up])
        // Esc then a key, sent together (tmux send-keys, a stalled ssh link): both count.
        #expect(Self.keys("\u{1B}/open\r") == [.escape, .character("/")] + "open".map { .character($0) } + [.enter])
        #expect(KeyDecoder.decodeEscape(following: [0x71]) == .key(.escape, length: 0))
    }

    @Test func aSequenceFollowedByTypedKeysInOneReadGivesEveryKey() {
        #expect(Self.keys("\u{1B}[1~abc\r") == [.home, .character("a"), .character("b"), .character("c"), .enter])
        #expect(Self.keys("\u{1B}[A\u{1B}[B\u{1B}OD\u{1B}[4~") == [.up, .down, .left, .end])
        #expect(Self.keys("é\u{1B}[200~日\u{1B}[201~\t") == [.character("é"), .character("日"), .tab])
        #expect(Self.keys("\u{1B}[1;5C\u{1B}") == [.right, .escape])
    }

    @Test func altAndAKeyIsEscThenTheKey() {
        #expect(Self.keys("\u{1B}x") == [.escape, .character("x")])
        #expect(Self.keys("\u{1B}\u{7F}") == [.escape, .backspace])
        #expect(Self.keys("\u{1B}\r") == [.escape, .enter])
    }

    @Test func aSequenceCutOffAtTheEndIsHandedBackUnfinished() {
        for cut in ["\u{1B}[", "\u{1B}[1", "\u{1B}[1;5", "\u{1B}O", "\u{1B}O5", "\u{1B}[[", "\u{1B}[M !"] {
            let (keys, unfinished) = KeyDecoder.decode(Self.units("ab" + cut))
            #expect(keys == [.character("a"), .character("b")], "\(cut.debugDescription)")
            #expect(unfinished == Self.units(cut), "\(cut.debugDescription)")
            // Its rest arriving later completes it.
            #expect(KeyDecoder.decodeEscape(following: Self.units(cut).dropFirst()) == .incomplete)
        }
        #expect(Self.keys("\u{1B}[1" + "~") == [.home])
    }

    @Test func aSequenceCutByAControlCharacterIsDroppedAndTheCharacterKept() {
        #expect(Self.keys("\u{1B}[1\r") == [.enter])
        #expect(Self.keys("\u{1B}[1;5\u{1B}[A") == [.up])
        #expect(Self.keys("\u{1B}O\t") == [.tab])
        #expect(Self.keys("\u{1B}[[\r") == [.enter])
    }

    @Test func theKeypadInApplicationMode() {
        #expect(Self.keys("\u{1B}OM") == [.enter])
        #expect(Self.keys("\u{1B}Op\u{1B}Oq\u{1B}Oy") == [.character("0"), .character("1"), .character("9")])
        #expect(Self.keys("\u{1B}Oj\u{1B}Ok\u{1B}Om\u{1B}On\u{1B}Oo") == "*+-./".map { .character($0) })
        #expect(Self.keys("\u{1B}OX") == [.character("=")])
    }

    @Test func controlCharactersArriveAsCharactersExceptEnterTabAndBackspace() {
        #expect(Self.keys("\r\n") == [.enter, .enter])
        #expect(Self.keys("\t") == [.tab])
        #expect(Self.keys("\u{08}\u{7F}") == [.backspace, .backspace])
        #expect(Self.keys("\u{01}\u{05}\u{15}\u{1F}") == "\u{01}\u{05}\u{15}\u{1F}".map { .character($0) })
        #expect(Self.keys("\u{00}") == [.character("\u{00}")])
        #expect(KeyDecoder.key(for: 0xD800) == nil)  // not a scalar
    }
}

@Suite struct ClipboardSequenceTests {
    @Test func copyingIsOSC52WithTheBase64OfTheUTF8Text() {
        let sequence = ClipboardSequence.copying("héllo 日本 🟢")
        #expect(String(decoding: sequence, as: UTF8.self) == "\u{1B}]52;c;aMOpbGxvIOaXpeacrCDwn5+i\u{07}")
        #expect(ClipboardSequence.copying("") == Array("\u{1B}]52;c;\u{07}".utf8))
    }
}
