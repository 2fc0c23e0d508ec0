/// Text being edited and where its cursor is: the keys of a readline-style line editor
/// (←/→, Home/End, Ctrl-A/E/U/K/W/D, Backspace, Delete) and, for multi-line text, ↑/↓ that
/// keep the column, Enter and Tab. It also keeps the view (first line, first column) so that
/// text longer than its box scrolls to keep the cursor in sight. A pure value: the tool pane
/// stores it and draws from it.
public struct TextEditor: Sendable, Equatable {
    /// The text as characters (grapheme clusters); the cursor is an offset into it.
    public private(set) var characters: [Character]
    /// Where the cursor is, in characters from the start: `0...characters.count`.
    public private(set) var cursor: Int
    /// Whether Enter, Tab, ↑ and ↓ edit and move between lines.
    public let multiline: Bool
    /// The display column ↑/↓ aim for, kept while moving through shorter lines.
    private var goalColumn: Int?
    /// The first line shown (multi-line text taller than its box).
    public private(set) var firstLine = 0
    /// The first character of each line shown (lines wider than their box).
    public private(set) var firstColumn = 0

    /// `cursor` nil puts the cursor at the end.
    public init(_ text: String = "", multiline: Bool = false, cursor: Int? = nil) {
        self.multiline = multiline
        characters = Self.characters(of: text, multiline: multiline)
        self.cursor = min(max(0, cursor ?? characters.count), characters.count)
    }

    public var text: String { String(characters) }

    // MARK: Where the cursor is

    /// The lines of the text (one for single-line text, always at least one).
    public var lines: [ArraySlice<Character>] {
        characters.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The line the cursor is on, from 0.
    public var cursorLine: Int { characters[..<cursor].reduce(0) { $0 + ($1 == "\n" ? 1 : 0) } }

    /// The cursor's offset in its line, in characters.
    public var cursorColumn: Int { cursor - lineStart(cursor) }

    /// The cursor's offset in its line, in terminal columns.
    public var cursorDisplayColumn: Int { Self.width(characters[lineStart(cursor)..<cursor]) }

    // MARK: Keys

    /// Applies an editing key; false when the key is not one (the caller handles it).
    /// Control characters arrive as `.character` with their scalar (Ctrl-A is U+0001).
    @discardableResult
    public mutating func apply(_ key: Key) -> Bool {
        switch key {
        case .left: moveLeft()
        case .right: moveRight()
        case .home: moveToLineStart()
        case .end: moveToLineEnd()
        case .up where multiline: moveUp()
        case .down where multiline: moveDown()
        case .backspace: deleteBackward()
        case .delete: deleteForward()
        case .enter where multiline: insert("\n")
        case .tab where multiline: insert("  ")
        case .character(let character):
            guard let control = Self.controlLetter(character) else {
                guard Self.isPrintable(character) else { return false }
                insert(String(character))
                return true
            }
            switch control {
            case "a": moveToLineStart()
            case "b": moveLeft()
            case "d": deleteForward()
            case "e": moveToLineEnd()
            case "f": moveRight()
            case "h": deleteBackward()
            case "k": deleteToLineEnd()
            case "u": deleteToLineStart()
            case "w": deleteWordBackward()
            default: return false
            }
        default:
            return false
        }
        return true
    }

    /// Whether `key` is one `apply` handles, without applying it.
    public func handles(_ key: Key) -> Bool {
        var copy = self
        return copy.apply(key)
    }

    /// The letter of a control character (U+0001 → "a"), nil for anything else.
    static func controlLetter(_ character: Character) -> Character? {
        guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first,
            (1...26).contains(scalar.value), let letter = Unicode.Scalar(scalar.value + 0x60)
        else { return nil }
        return Character(letter)
    }

    /// Text that may be typed: not a control character (newlines come as Enter).
    static func isPrintable(_ character: Character) -> Bool {
        guard let first = character.unicodeScalars.first else { return false }
        return first.value >= 0x20 && first.value != 0x7F && !(0x80..<0xA0).contains(first.value)
    }

    // MARK: Editing

    /// Inserts at the cursor and moves the cursor after it. Single-line text gets no newlines
    /// (they become spaces). A combining mark or emoji modifier joins the character before it.
    public mutating func insert(_ text: String) {
        for character in Self.characters(of: text, multiline: multiline) {
            if cursor > 0, character != "\n", characters[cursor - 1] != "\n" {
                let joined = String(characters[cursor - 1]) + String(character)
                if joined.count == 1, let merged = joined.first {
                    characters[cursor - 1] = merged
                    continue
                }
            }
            characters.insert(character, at: cursor)
            cursor += 1
        }
        goalColumn = nil
    }

    public mutating func moveLeft() {
        cursor = max(0, cursor - 1)
        goalColumn = nil
    }

    public mutating func moveRight() {
        cursor = min(characters.count, cursor + 1)
        goalColumn = nil
    }

    /// Home, Ctrl-A: the start of the cursor's line.
    public mutating func moveToLineStart() {
        cursor = lineStart(cursor)
        goalColumn = nil
    }

    /// End, Ctrl-E: the end of the cursor's line.
    public mutating func moveToLineEnd() {
        cursor = lineEnd(cursor)
        goalColumn = nil
    }

    /// ↑: the line above, at the same display column (or its end, when it is shorter).
    public mutating func moveUp() {
        let start = lineStart(cursor)
        let goal = goalColumn ?? cursorDisplayColumn
        guard start > 0 else {
            cursor = 0
            return
        }
        cursor = position(inLineStartingAt: lineStart(start - 1), atDisplayColumn: goal)
        goalColumn = goal
    }

    /// ↓: the line below, at the same display column (or its end, when it is shorter).
    public mutating func moveDown() {
        let end = lineEnd(cursor)
        let goal = goalColumn ?? cursorDisplayColumn
        guard end < characters.count else {
            cursor = characters.count
            return
        }
        cursor = position(inLineStartingAt: end + 1, atDisplayColumn: goal)
        goalColumn = goal
    }

    /// Backspace: the character before the cursor.
    public mutating func deleteBackward() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
        goalColumn = nil
    }

    /// Delete, Ctrl-D: the character under the cursor.
    public mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
        goalColumn = nil
    }

    /// Ctrl-U: from the start of the line to the cursor.
    public mutating func deleteToLineStart() {
        let start = lineStart(cursor)
        characters.removeSubrange(start..<cursor)
        cursor = start
        goalColumn = nil
    }

    /// Ctrl-K: from the cursor to the end of the line; at the end of a line, the line break
    /// (so repeated Ctrl-K joins lines, as in Emacs).
    public mutating func deleteToLineEnd() {
        let end = lineEnd(cursor)
        if end == cursor, cursor < characters.count {
            characters.remove(at: cursor)
        } else {
            characters.removeSubrange(cursor..<end)
        }
        goalColumn = nil
    }

    /// Ctrl-W: the word before the cursor and the spaces after it (readline's unix-word-rubout).
    public mutating func deleteWordBackward() {
        var start = cursor
        while start > 0, characters[start - 1].isWhitespace { start -= 1 }
        while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
        characters.removeSubrange(start..<cursor)
        cursor = start
        goalColumn = nil
    }

    // MARK: The view

    /// Moves the view as little as needed to show the cursor in a box of `width` columns and
    /// `height` lines, as drawn by `visibleLine`: a "…" in the first column when the line is
    /// scrolled, the cursor as a column of its own.
    public mutating func scroll(toShowCursorIn width: Int, height: Int = 1) {
        let line = cursorLine
        let count = lines.count
        let rows = max(1, height)
        if line < firstLine { firstLine = line }
        if line >= firstLine + rows { firstLine = line - rows + 1 }
        firstLine = min(firstLine, max(0, count - rows))

        let start = lineStart(cursor)
        let text = characters[start..<lineEnd(cursor)]
        let column = cursor - start
        let columns = max(2, width)
        // Columns used from `first` to `end`: "…" when scrolled, the text, the cursor, and
        // one more for what follows (the character under the cursor, or a "…").
        func used(from first: Int, to end: Int) -> Int {
            (first > 0 ? 1 : 0) + Self.width(text[(start + first)..<(start + end)]) + 1 + (end < text.count ? 1 : 0)
        }
        var first = min(firstColumn, column)
        while first < column, used(from: first, to: column) > columns { first += 1 }
        // Show as much as fits: scroll back while the rest of the line still fits.
        while first > 0, used(from: first - 1, to: text.count) <= columns { first -= 1 }
        firstColumn = first
    }

    /// The view scrolled to show the cursor in a box of that size (the box may have changed
    /// since the last edit).
    public func scrolled(toShowCursorIn width: Int, height: Int = 1) -> TextEditor {
        var copy = self
        copy.scroll(toShowCursorIn: width, height: height)
        return copy
    }

    /// What a line shows from `firstColumn` on, in `width` columns: whether it is scrolled
    /// (a "…" first), the text before the cursor, whether the cursor is on it, the text after
    /// the cursor (all of the text, on lines without it), and whether it is cut (a "…" last).
    public struct VisibleLine: Sendable, Equatable {
        public var scrolledLeft: Bool
        public var beforeCursor: String
        public var cursor: Bool
        public var afterCursor: String
        public var cutRight: Bool
    }

    /// Line `index` as drawn in `width` columns from `firstColumn` on, with the cursor (when
    /// `showCursor` and it is on this line) taking a column of its own. A column is kept for
    /// the "…" wherever the line is cut.
    public func visibleLine(_ index: Int, width: Int, showCursor: Bool) -> VisibleLine {
        var start = 0
        var lineNumber = 0
        while lineNumber < index, start < characters.count {
            start = lineEnd(start) + 1
            lineNumber += 1
        }
        var shown = VisibleLine(scrolledLeft: false, beforeCursor: "", cursor: false, afterCursor: "", cutRight: false)
        guard lineNumber == index, start <= characters.count else { return shown }
        let end = lineEnd(start)
        let first = start + min(firstColumn, end - start)
        let cursorAt = showCursor && cursor >= start && cursor <= end ? cursor : nil
        shown.scrolledLeft = first > start
        let room = width - (shown.scrolledLeft ? 1 : 0)
        var used = 0
        for position in first...end {
            if position == cursorAt {
                guard used + 1 <= room else {
                    shown.cutRight = true
                    break
                }
                shown.cursor = true
                used += 1
            }
            guard position < end else { break }
            let characterWidth = DisplayWidth.of(characters[position])
            let somethingFollows = position + 1 < end || cursorAt == end
            if used + characterWidth + (somethingFollows ? 1 : 0) > room {
                shown.cutRight = true
                break
            }
            if let cursorAt, position < cursorAt {
                shown.beforeCursor.append(characters[position])
            } else {
                shown.afterCursor.append(characters[position])
            }
            used += characterWidth
        }
        return shown
    }

    // MARK: Helpers

    private static func characters(of text: String, multiline: Bool) -> [Character] {
        var result: [Character] = []
        result.reserveCapacity(text.count)
        for character in text {
            if character == "\n" || character == "\r\n" || character == "\r" {
                result.append(multiline ? "\n" : " ")
            } else if character == "\t" {
                result.append(contentsOf: multiline ? [" ", " "] : [" "])
            } else if isPrintable(character) {
                result.append(character)
            }
        }
        return result
    }

    static func width(_ characters: ArraySlice<Character>) -> Int {
        characters.reduce(0) { $0 + DisplayWidth.of($1) }
    }

    /// The first position of the line holding `position`.
    private func lineStart(_ position: Int) -> Int {
        var start = position
        while start > 0, characters[start - 1] != "\n" { start -= 1 }
        return start
    }

    /// The position of the line break ending the line holding `position` (or the end).
    private func lineEnd(_ position: Int) -> Int {
        var end = position
        while end < characters.count, characters[end] != "\n" { end += 1 }
        return end
    }

    /// The position in the line starting at `start` whose display column is `column` (or the
    /// last one before it, for a wide character across it; the line's end when it is shorter).
    private func position(inLineStartingAt start: Int, atDisplayColumn column: Int) -> Int {
        let end = lineEnd(start)
        var position = start
        var used = 0
        while position < end {
            let next = used + DisplayWidth.of(characters[position])
            if next > column { break }
            used = next
            position += 1
        }
        return position
    }
}
