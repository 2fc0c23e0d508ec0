/// One terminal cell: a grapheme (or nothing, for the right half of a wide one) and its role.
/// Plain values all the way down: a frame copies, compares and draws thousands of cells a
/// second, with no reference counting.
public struct Cell: Sendable, Hashable {
    public var glyph: Glyph
    public var role: Role
    /// True for the second column of a double-width character (日, 🟢).
    public var isContinuation: Bool

    public static let blank = Cell(glyph: Glyph(ascii: 0x20), role: .normal)

    public init(glyph: Glyph, role: Role, isContinuation: Bool = false) {
        self.glyph = glyph
        self.role = role
        self.isContinuation = isContinuation
    }

    public var text: String { glyph.text }
}

/// A grapheme as up to five Unicode scalars, as many as ncurses keeps in a cell (CCHARW_MAX),
/// packed 21 bits each into two words: scalars 0–2 in `low`, 3–4 in `high`, the count in
/// the top three bits of `high`.
public struct Glyph: Sendable, Hashable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    /// The empty glyph of a continuation cell.
    public init() {}

    public init(ascii byte: UInt8) {
        low = UInt64(byte)
        high = 1 << 61
    }

    /// The character's first five scalars (a longer sequence cannot be shown in one cell).
    public init(_ character: Character) {
        var count: UInt64 = 0
        for scalar in character.unicodeScalars.prefix(5) {
            let value = UInt64(scalar.value)
            if count < 3 { low |= value << (21 * count) } else { high |= value << (21 * (count - 3)) }
            count += 1
        }
        high |= count << 61
    }

    public var count: Int { Int(high >> 61) }

    /// The scalar at `index` (0 ..< count) as its code point.
    public func scalar(_ index: Int) -> UInt32 {
        let word = index < 3 ? low >> (21 * UInt64(index)) : high >> (21 * UInt64(index - 3))
        return UInt32(truncatingIfNeeded: word & 0x1F_FFFF)
    }

    public var text: String {
        var scalars = String.UnicodeScalarView()
        for index in 0..<count {
            if let scalar = Unicode.Scalar(scalar(index)) { scalars.append(scalar) }
        }
        return String(scalars)
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

    /// Writes `text` at (row, column), clipped at `limit` columns (default: the row's end); text
    /// that does not fit ends in "…", so a cut never passes for the whole. Returns the column
    /// after the last cell written. Widths come from `DisplayWidth`.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, role: Role, limit: Int? = nil) -> Int {
        guard row >= 0, row < height, column < width else { return column }
        let end = min(width, limit.map { column + max(0, $0) } ?? width)
        if end > column, DisplayWidth.of(text) > end - column {
            return write(text, row: row, column: column, role: role, field: end - column)
        }
        var x = column
        // Printable ASCII is one cell per byte.
        if DisplayWidth.isPrintableASCII(text) {
            for byte in text.utf8 {
                guard x < end else { break }
                if x >= 0 { rows[row][x] = Cell(glyph: Glyph(ascii: byte), role: role) }
                x += 1
            }
            return x
        }
        for character in text {
            guard let (glyph, glyphWidth) = Screen.glyph(for: character, unicode: unicode) else { continue }
            if x + glyphWidth > end { break }
            if x >= 0 {
                rows[row][x] = Cell(glyph: glyph, role: role)
                if glyphWidth == 2 { rows[row][x + 1] = Cell(glyph: Glyph(), role: role, isContinuation: true) }
            }
            x += glyphWidth
        }
        return x
    }

    /// Writes `text` into a field of exactly `width` columns: cut with "…" when longer, padded
    /// with spaces when shorter, as `write(DisplayWidth.pad(text, to: width), …)` would, in one
    /// pass and without making the padded string. Returns the column after the field.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, role: Role, field width: Int) -> Int {
        guard width > 0 else { return column }
        let end = column + width
        guard row >= 0, row < height else { return end }
        let (unicode, screenWidth) = (self.unicode, self.width)
        let ellipsis = Screen.glyph(for: "…", unicode: unicode)?.glyph ?? Glyph()
        rows[row].withUnsafeMutableBufferPointer { cells in
            func put(_ glyph: Glyph, at x: Int, continuation: Bool = false) {
                if x >= 0, x < screenWidth { cells[x] = Cell(glyph: glyph, role: role, isContinuation: continuation) }
            }
            var x = column
            // Names, numbers and times are printable ASCII: one cell per byte.
            if DisplayWidth.isPrintableASCII(text) {
                let count = text.utf8.count
                for byte in text.utf8.prefix(count <= width ? count : width - 1) {
                    put(Glyph(ascii: byte), at: x)
                    x += 1
                }
                if count > width {
                    put(ellipsis, at: x)
                    x += 1
                }
            } else {
                // Where the "…" goes if the text turns out too long: after the last character
                // that leaves a column for it.
                var cut: Int?
                for character in text {
                    guard let (glyph, glyphWidth) = Screen.glyph(for: character, unicode: unicode) else { continue }
                    if cut == nil, x + glyphWidth > end - 1 { cut = x }
                    if x + glyphWidth > end, let cut {
                        x = cut
                        put(ellipsis, at: x)
                        x += 1
                        break
                    }
                    put(glyph, at: x)
                    if glyphWidth == 2 { put(Glyph(), at: x + 1, continuation: true) }
                    x += glyphWidth
                }
            }
            while x < end {
                put(Glyph(ascii: 0x20), at: x)
                x += 1
            }
        }
        return end
    }

    /// Paints a span of cells with a role (backgrounds of selected rows, popups).
    public mutating func fill(row: Int, from column: Int, to end: Int, role: Role, character: Character = " ") {
        guard row >= 0, row < height else { return }
        let cell = Cell(glyph: Glyph(character), role: role)
        for x in max(0, column)..<min(width, max(column, end)) {
            rows[row][x] = cell
        }
    }

    /// Puts back a whole row drawn earlier (cells of the same width).
    public mutating func replace(row: Int, with cells: [Cell]) {
        guard row >= 0, row < height, cells.count == width else { return }
        rows[row] = cells
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

    /// What `character` shows as and how many columns it takes, in the given drawing mode;
    /// nil when it takes none (control characters, combining marks on their own).
    static func glyph(for character: Character, unicode: Bool) -> (glyph: Glyph, width: Int)? {
        if let byte = character.asciiValue, byte >= 0x20, byte < 0x7F { return (Glyph(ascii: byte), 1) }
        let width = DisplayWidth.of(character)
        if width == 0 { return nil }
        return unicode || character.isASCII ? (Glyph(character), width) : (Glyph(Screen.ascii(character)), 1)
    }

    /// Stand-ins for the drawing characters when the locale is not UTF-8.
    static func ascii(_ character: Character) -> Character {
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
