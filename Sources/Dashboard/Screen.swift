/// One terminal cell: a grapheme (or nothing, for the right half of a wide one) and its role.
public struct Cell: Sendable, Hashable {
    public var text: String
    public var role: Role
    /// True for the second column of a double-width character (日, 🟢).
    public var isContinuation: Bool

    public static let blank = Cell(text: " ", role: .normal, isContinuation: false)

    public init(text: String, role: Role, isContinuation: Bool = false) {
        self.text = text
        self.role = role
        self.isContinuation = isContinuation
    }
}

/// What the dashboard wants on the terminal: a grid of cells, rendered purely from state.
/// The terminal backend only copies changed rows to the screen.
public struct Screen: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var rows: [[Cell]]
    /// Whether box and gauge drawing may use Unicode (UTF-8 locale) or must use ASCII.
    public var unicode: Bool

    public init(width: Int, height: Int, unicode: Bool = true) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.unicode = unicode
        rows = Array(repeating: Array(repeating: .blank, count: max(0, width)), count: max(0, height))
    }

    /// Writes `text` at (row, column), clipped at `limit` columns (default: the row's end).
    /// Returns the column after the last cell written. Widths come from `DisplayWidth`.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, role: Role, limit: Int? = nil) -> Int {
        guard row >= 0, row < height, column < width else { return column }
        let end = min(width, limit.map { column + max(0, $0) } ?? width)
        var x = column
        // Printable ASCII is one cell per byte, with no new string made; false at the limit.
        func put(ascii byte: UInt8) -> Bool {
            guard x < end else { return false }
            if x >= 0 { rows[row][x] = Cell(text: Screen.asciiGlyphs[Int(byte) - 0x20], role: role) }
            x += 1
            return true
        }
        if DisplayWidth.isPrintableASCII(text) {
            for byte in text.utf8 {
                guard put(ascii: byte) else { break }
            }
            return x
        }
        for character in text {
            if let byte = character.asciiValue, byte >= 0x20, byte < 0x7F {
                guard put(ascii: byte) else { break }
                continue
            }
            let cellWidth = DisplayWidth.of(character)
            if cellWidth == 0 { continue }
            let glyph = unicode || character.isASCII ? String(character) : Screen.ascii(character)
            let glyphWidth = unicode || character.isASCII ? cellWidth : 1
            if x + glyphWidth > end { break }
            if x >= 0 {
                rows[row][x] = Cell(text: glyph, role: role)
                if glyphWidth == 2 { rows[row][x + 1] = Cell(text: "", role: role, isContinuation: true) }
            }
            x += glyphWidth
        }
        return x
    }

    /// Paints a span of cells with a role (backgrounds of selected rows, popups).
    public mutating func fill(row: Int, from column: Int, to end: Int, role: Role, character: String = " ") {
        guard row >= 0, row < height else { return }
        for x in max(0, column)..<min(width, max(column, end)) {
            rows[row][x] = Cell(text: character, role: role)
        }
    }

    /// Changes the role of existing cells (highlighting a row without rewriting its text).
    public mutating func restyle(row: Int, from column: Int, to end: Int, role: Role) {
        guard row >= 0, row < height else { return }
        for x in max(0, column)..<min(width, max(column, end)) { rows[row][x].role = role }
    }

    /// The screen as plain text lines (trailing spaces trimmed), for snapshot tests.
    public var text: String {
        rows.map { row in
            var line = row.filter { !$0.isContinuation }.map(\.text).joined()
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    public func role(row: Int, column: Int) -> Role { rows[row][column].role }

    /// " " … "~" as one-character strings, so writing ASCII text makes no new strings.
    private static let asciiGlyphs: [String] = (0x20..<0x7F).map { String(UnicodeScalar(UInt8($0))) }

    /// Stand-ins for the drawing characters when the locale is not UTF-8.
    static func ascii(_ character: Character) -> String {
        switch character {
        case "…": return "."
        case "─", "—", "–": return "-"
        case "│": return "|"
        case "┌", "┐", "└", "┘": return "+"
        case "●": return "+"
        case "◐": return "~"
        case "✖": return "!"
        case "▾": return "v"
        case "█": return "#"
        case "░": return "."
        case "‹": return "<"
        case "›": return ">"
        case "▏": return "_"
        case "×": return "x"
        case "↑": return "^"
        case "↓": return "v"
        case "⇄": return "="
        default: return "?"
        }
    }
}
