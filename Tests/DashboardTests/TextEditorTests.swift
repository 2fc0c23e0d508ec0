import Testing

@testable import Dashboard

@Suite struct TextEditorTests {
    static let ctrlA = Key.character("\u{01}")
    static let ctrlD = Key.character("\u{04}")
    static let ctrlE = Key.character("\u{05}")
    static let ctrlK = Key.character("\u{0B}")
    static let ctrlU = Key.character("\u{15}")
    static let ctrlW = Key.character("\u{17}")

    static func editor(_ text: String, multiline: Bool = false, keys: [Key]) -> TextEditor {
        var editor = TextEditor(text, multiline: multiline)
        for key in keys { editor.apply(key) }
        return editor
    }

    static func type(_ text: String) -> [Key] { text.map { .character($0) } }

    /// The editor's line as drawn: "…" where cut, "|" for the cursor.
    static func shown(_ editor: TextEditor, line: Int = 0, width: Int) -> String {
        let visible = editor.visibleLine(line, width: width, showCursor: true)
        return (visible.scrolledLeft ? "…" : "") + visible.beforeCursor + (visible.cursor ? "|" : "")
            + visible.afterCursor + (visible.cutRight ? "…" : "")
    }

    @Test func typingInsertsAtTheCursorAfterMovingLeft() {
        let editor = Self.editor("", keys: Self.type("helo") + [.left] + Self.type("l"))
        #expect(editor.text == "hello")
        #expect(editor.cursor == 4)
        let start = Self.editor("world", keys: [.home] + Self.type("hello "))
        #expect(start.text == "hello world")
    }

    @Test func homeEndAndCtrlAEMoveToTheEnds() {
        var editor = TextEditor("abc")
        #expect(editor.cursor == 3, "a new editor starts at the end")
        editor.apply(.home)
        #expect(editor.cursor == 0)
        editor.apply(.end)
        #expect(editor.cursor == 3)
        editor.apply(Self.ctrlA)
        #expect(editor.cursor == 0)
        editor.apply(.left)
        #expect(editor.cursor == 0, "← stops at the start")
        editor.apply(Self.ctrlE)
        editor.apply(.right)
        #expect(editor.cursor == 3, "→ stops at the end")
    }

    @Test func backspaceDeletesBeforeAndDeleteAndCtrlDAfterTheCursor() {
        let editor = Self.editor("abcd", keys: [.left, .left, .backspace])
        #expect(editor.text == "acd" && editor.cursor == 1)
        let forward = Self.editor("abcd", keys: [.home, .right, .delete, Self.ctrlD])
        #expect(forward.text == "ad" && forward.cursor == 1)
        let atEnd = Self.editor("ab", keys: [.delete])
        #expect(atEnd.text == "ab")
    }

    @Test func ctrlWDeletesTheWordBeforeTheCursor() {
        #expect(Self.editor("say hello world", keys: [Self.ctrlW]).text == "say hello ")
        #expect(Self.editor("say hello  ", keys: [Self.ctrlW]).text == "say ", "spaces after the word go with it")
        let middle = Self.editor("one two three", keys: Array(repeating: .left, count: 5) + [Self.ctrlW])
        #expect(middle.text == "one three")
        #expect(middle.cursor == 4)
    }

    @Test func ctrlKDeletesToTheEndAndCtrlUToTheStart() {
        let killed = Self.editor("hello world", keys: Array(repeating: .left, count: 6) + [Self.ctrlK])
        #expect(killed.text == "hello" && killed.cursor == 5)
        let cleared = Self.editor("hello world", keys: Array(repeating: .left, count: 6) + [Self.ctrlU])
        #expect(cleared.text == " world" && cleared.cursor == 0)
        // On a line end, Ctrl-K joins the next line; Ctrl-U only clears its own line.
        let joined = Self.editor("ab\ncd", multiline: true, keys: [.up, .end, Self.ctrlK])
        #expect(joined.text == "abcd")
        let lineOnly = Self.editor("ab\ncd", multiline: true, keys: [Self.ctrlU])
        #expect(lineOnly.text == "ab\n")
    }

    @Test func wideCharactersMoveByCharacterAndMeasureTwoColumns() {
        var editor = TextEditor("日本x")
        editor.apply(.left)
        #expect(editor.cursor == 2)
        #expect(editor.cursorDisplayColumn == 4)
        editor.apply(.left)
        editor.apply(.backspace)
        #expect(editor.text == "本x")
        #expect(editor.cursorDisplayColumn == 0)
        // A combining accent typed after a letter joins it: one character, one step.
        let accented = Self.editor("", keys: Self.type("e") + [.character("\u{301}")])
        #expect(accented.characters.count == 1)
        #expect(accented.cursor == 1)
    }

    @Test func upAndDownKeepTheColumnThroughShorterLines() {
        var editor = TextEditor("abcdef\nab\nabcdef", multiline: true, cursor: 4)
        editor.apply(.down)
        #expect(editor.cursorLine == 1 && editor.cursorColumn == 2, "the end of the shorter line")
        editor.apply(.down)
        #expect(editor.cursorLine == 2 && editor.cursorColumn == 4, "back at the column it started from")
        editor.apply(.up)
        editor.apply(.up)
        #expect(editor.cursor == 4)
        editor.apply(.up)
        #expect(editor.cursor == 0, "↑ on the first line goes to its start")
        // The column is a display column: two wide characters are four columns.
        var wide = TextEditor("日本語\nabcdef", multiline: true, cursor: 2)
        wide.apply(.down)
        #expect(wide.cursorColumn == 4)
        wide.apply(.up)
        #expect(wide.cursor == 2)
    }

    @Test func enterAndTabEditOnlyMultiLineText() {
        let json = Self.editor("{}", multiline: true, keys: [.left, .enter, .tab] + Self.type("\"a\": 1") + [.enter])
        #expect(json.text == "{\n  \"a\": 1\n}")
        #expect(json.cursorLine == 2)
        var line = TextEditor("ab")
        for key in [Key.enter, .tab, .up, .down, .character("\u{18}")] {
            let handled = line.apply(key)
            #expect(!handled, "\(key) is not an editing key of a single line (Ctrl-X is bound to nothing)")
        }
        #expect(line.text == "ab")
        #expect(TextEditor("a\nb").text == "a b", "a single line takes no newline")
    }

    @Test func aLongLineScrollsToKeepTheCursorVisible() {
        var editor = TextEditor("the quick brown fox jumps")
        editor.scroll(toShowCursorIn: 10)
        #expect(Self.shown(editor, width: 10) == "…ox jumps|")
        editor.apply(.home)
        editor.scroll(toShowCursorIn: 10)
        #expect(Self.shown(editor, width: 10) == "|the quic…")
        for _ in 0..<12 { editor.apply(.right) }
        editor.scroll(toShowCursorIn: 10)
        // Only as far as needed: the cursor, and a "…" for what follows, in the last columns.
        #expect(Self.shown(editor, width: 10) == "…uick br|…")
        editor.apply(.left)
        editor.scroll(toShowCursorIn: 10)
        #expect(Self.shown(editor, width: 10) == "…uick b|r…", "moving back inside the view does not scroll")
        // A short text is shown whole wherever the view was.
        var short = TextEditor("short")
        short.scroll(toShowCursorIn: 10)
        #expect(Self.shown(short, width: 10) == "short|")
    }

    @Test func wideCharactersAreNotSplitWhenScrolling() {
        var editor = TextEditor("日本語の文字")
        editor.scroll(toShowCursorIn: 8)
        let shown = Self.shown(editor, width: 8)
        #expect(shown == "…の文字|")
        #expect(DisplayWidth.of(shown) <= 8)
    }

    @Test func tallTextScrollsToKeepTheCursorLineVisible() {
        let text = (1...10).map { "line \($0)" }.joined(separator: "\n")
        var editor = TextEditor(text, multiline: true, cursor: 0)
        editor.scroll(toShowCursorIn: 20, height: 3)
        #expect(editor.firstLine == 0)
        for _ in 0..<5 { editor.apply(.down) }
        editor.scroll(toShowCursorIn: 20, height: 3)
        #expect(editor.firstLine == 3, "the cursor's line 5 is the last of the three shown")
        editor.apply(.up)
        editor.scroll(toShowCursorIn: 20, height: 3)
        #expect(editor.firstLine == 3)
        for _ in 0..<3 { editor.apply(.up) }
        editor.scroll(toShowCursorIn: 20, height: 3)
        #expect(editor.firstLine == 1)
        #expect(Self.shown(editor, line: 2, width: 20) == "line 3", "lines without the cursor show no cursor")
    }
}

@Suite struct WrapTests {
    @Test func longLinesWrapAtSpacesAndLongWordsAnywhere() {
        #expect(DisplayWidth.wrap("the quick brown fox", to: 10) == ["the quick", "brown fox"])
        #expect(DisplayWidth.wrap("abcdefghijkl", to: 5) == ["abcde", "fghij", "kl"])
        #expect(DisplayWidth.wrap("short", to: 10) == ["short"])
        #expect(DisplayWidth.wrap("a\n\nb", to: 10) == ["a", "", "b"])
        #expect(DisplayWidth.wrap("", to: 10) == [""])
    }

    @Test func indentationIsKeptAndNeverABreak() {
        #expect(
            DisplayWidth.wrap("    \"key\": \"some value\"", to: 14) == ["    \"key\":", "    \"some", "    value\""])
    }

    @Test func wrappedRowsKeepTheLinesIndentation() {
        #expect(DisplayWidth.wrap("  one two three four", to: 10) == ["  one two", "  three", "  four"])
        #expect(DisplayWidth.wrap("  abcdefghijkl", to: 6) == ["  abcd", "  efgh", "  ijkl"])
        // Each line of a multi-line text by its own indentation.
        #expect(DisplayWidth.wrap("top level\n   at frame", to: 8) == ["top", "level", "   at", "   frame"])
        // Indentation deeper than half the row is not repeated: the text would have no room.
        #expect(DisplayWidth.wrap("        ab cd", to: 10) == ["        ab", "cd"])
    }

    @Test func wideCharactersWrapByColumns() {
        let rows = DisplayWidth.wrap("日本語の文字", to: 5)
        #expect(rows == ["日本", "語の", "文字"])
        #expect(rows.allSatisfy { DisplayWidth.of($0) <= 5 })
    }
}
