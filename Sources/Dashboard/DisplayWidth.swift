import Support

/// Terminal column widths of characters, without depending on the C library's locale tables
/// (East Asian Wide/Fullwidth and emoji take two columns; combining marks, controls and
/// format characters such as bidi overrides none).
public enum DisplayWidth {
    public static func of(_ character: Character) -> Int {
        if let ascii = character.asciiValue { return ascii < 0x20 || ascii == 0x7F ? 0 : 1 }
        if isNarrowSymbol(character) { return 1 }
        return propertyWidth(character)
    }

    /// The width from Unicode properties: marks, emoji presentation, East Asian Wide ranges.
    static func propertyWidth(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        let value = first.value
        // Controls, bidi and other format characters take no column: the screen drops them
        // (a terminal would act on them or draw them at a width of its own choosing).
        if TerminalText.isUnsafe(first) { return 0 }
        if value < 0x300 { return 1 }
        if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .enclosingMark {
            return 0
        }
        if character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if first.properties.isEmojiPresentation { return 2 }
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// The dashboard's own drawing characters (…, ─, │, ●, █, ↑) without Unicode property
    /// look-ups: one scalar, three UTF-8 bytes, in general punctuation (U+2010–U+2027,
    /// U+2030–U+205E), arrows (U+2190–U+21FF) or box drawing, blocks and shapes (U+2500–U+25FC).
    /// None of these is a mark, wide or emoji-presented.
    static func isNarrowSymbol(_ character: Character) -> Bool {
        var utf8 = character.utf8.makeIterator()
        guard utf8.next() == 0xE2, let second = utf8.next(), let third = utf8.next(), utf8.next() == nil else {
            return false
        }
        let value = 0x2000 | (UInt32(second & 0x3F) << 6) | UInt32(third & 0x3F)
        switch value {
        case 0x2010...0x2027, 0x2030...0x205E, 0x2190...0x21FF, 0x2500...0x25FC: return true
        default: return false
        }
    }

    public static func of(_ text: String) -> Int {
        isPrintableASCII(text) ? text.utf8.count : text.reduce(0) { $0 + of($1) }
    }

    /// Most of what the dashboard draws (names, states, numbers, times) is printable ASCII:
    /// one column per byte, no grapheme breaking needed.
    static func isPrintableASCII(_ text: String) -> Bool {
        let isPrintable = { (byte: UInt8) in byte >= 0x20 && byte < 0x7F }
        return text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isPrintable) }
            ?? text.utf8.allSatisfy(isPrintable)
    }

    /// Cuts `text` to at most `width` columns, ending with "…" when it was cut.
    public static func truncate(_ text: String, to width: Int) -> String { measuredTruncation(text, to: width).text }

    /// Pads with spaces to exactly `width` columns (truncating first if needed).
    public static func pad(_ text: String, to width: Int) -> String {
        let (cut, used) = measuredTruncation(text, to: width)
        return used >= width ? cut : cut + String(repeating: " ", count: width - used)
    }

    /// The truncation and its width, measured in the same pass.
    private static func measuredTruncation(_ text: String, to width: Int) -> (text: String, width: Int) {
        guard width > 0 else { return ("", 0) }
        if isPrintableASCII(text) {
            let count = text.utf8.count
            return count <= width
                ? (text, count) : (String(decoding: text.utf8.prefix(width - 1), as: UTF8.self) + "…", width)
        }
        // One pass: remember where the text would be cut for the "…", stop once it is too wide.
        var used = 0
        var cut: (index: String.Index, width: Int)?
        for index in text.indices {
            let w = of(text[index])
            if cut == nil, used + w > width - 1 { cut = (index, used) }
            used += w
            if used > width, let cut { return (text[..<cut.index] + "…", cut.width + 1) }
        }
        return (text, used)
    }
}

extension DisplayWidth {
    /// Breaks `text` into rows of at most `width` columns: at the last space that fits (the
    /// space is dropped; a line's indentation is never a break), or anywhere in a word longer
    /// than a row. Newlines start a new row. A character wider than a row gets a row of its own.
    /// The rows a line wraps onto keep its indentation (a hanging indent, as an editor's soft
    /// wrap does), unless the indentation takes more than half the row.
    public static func wrap(_ text: String, to width: Int) -> [String] {
        var rows: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            wrapLine(Substring(line), to: width, into: &rows)
        }
        return rows
    }

    private static func wrapLine(_ line: Substring, to width: Int, into rows: inout [String]) {
        guard width > 0, of(String(line)) > width else {
            rows.append(String(line))
            return
        }
        let leading = line.prefix { $0 == " " }.count
        let indent = [Character](repeating: " ", count: leading <= width / 2 ? leading : 0)
        var current: [Character] = []
        var used = 0
        // Where the row may break: the index of a space after some text in `current`.
        var lastSpace: Int?
        // The first row holds the line's own indentation; the others start with `indent`.
        var startsRow = true
        var hasText: Bool { current.count > (startsRow ? 0 : indent.count) }
        func nextRow(carrying rest: ArraySlice<Character>) {
            current = indent + rest
            used = current.reduce(0) { $0 + of($1) }
            lastSpace = nil
            startsRow = false
        }
        for character in line {
            let characterWidth = of(character)
            if used + characterWidth > width, hasText {
                if character == " " {
                    // Break at this space: it is dropped.
                    rows.append(String(current))
                    nextRow(carrying: [])
                    continue
                }
                if let space = lastSpace {
                    rows.append(String(current[..<space]))
                    nextRow(carrying: current[(space + 1)...])
                } else {
                    rows.append(String(current))
                    nextRow(carrying: [])
                }
            }
            if character == " ", !startsRow, !hasText { continue }
            if character == " ", current.contains(where: { $0 != " " }) { lastSpace = current.count }
            current.append(character)
            used += characterWidth
        }
        if hasText || rows.isEmpty { rows.append(String(current)) }
    }
}
