/// Text from outside (a server, a file, the environment) made safe to write to a terminal.
///
/// A terminal acts on what it is sent: ESC starts sequences that move the cursor, clear the
/// screen, set the title, write the clipboard (OSC 52) or hide a link (OSC 8); C1 controls do
/// the same in one byte; CR overwrites a line; bidi and other format characters reorder or hide
/// text. Every such scalar is shown as a visible escape instead (`\x1b`, `\u202e`), so what the
/// server sent can be read, and nothing it sent can act.
public enum TerminalText {
    /// What may stay as is besides printable text.
    public enum Layout: Sendable {
        /// One line: a line break (LF or CR LF) becomes ` ⏎ ` and the indentation after it
        /// goes, so server text cannot start a line of its own (an event line of `watch`, a
        /// row of `tools`) and a message of several lines (a stdio server's stderr) still reads
        /// as one. A lone CR is escaped like any other control.
        case line
        /// Several lines: newlines and tabs stay; CR LF becomes a newline.
        case lines
    }

    /// `text` with every unsafe scalar (see `isUnsafe`) written as a visible escape.
    public static func sanitized(_ text: String, layout: Layout = .line) -> String {
        if isPlain(text, layout: layout) { return text }
        var output = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            if layout == .lines {
                if scalar == "\n" || scalar == "\t" {
                    output.append(scalar)
                    continue
                }
                if scalar == "\r", pending == "\n" { continue }
            } else if scalar == "\n" || (scalar == "\r" && pending == "\n") {
                if scalar == "\r" { pending = scalars.next() }
                while output.last == " " { output.removeLast() }
                output.append(contentsOf: lineBreak.unicodeScalars)
                while pending == " " || pending == "\t" { pending = scalars.next() }
                continue
            }
            if isUnsafe(scalar) {
                output.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// What a line break becomes in `.line` layout.
    static let lineBreak = " \u{23CE} "

    /// Whether a scalar must not reach a terminal as is: C0 controls (NUL, ESC, CR, LF, …),
    /// DEL, C1 controls, the line and paragraph separators, and format characters (bidi
    /// embeddings, overrides and isolates, zero-width spaces, the BOM, soft hyphen). Kept are
    /// the zero-width joiner and non-joiner and the tag characters, which emoji and scripts
    /// need inside one grapheme.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return true }
        if value < 0xAD { return false }
        switch value {
        case 0x200C, 0x200D, 0xE0020...0xE007F: return false
        case 0x2028, 0x2029: return true
        default: return scalar.properties.generalCategory == .format
        }
    }

    /// `\x1b` for ASCII, `\u202e` within the basic plane, `\U000e0001` beyond it.
    static func escape(_ scalar: Unicode.Scalar) -> String {
        let value = scalar.value
        let (prefix, digits) = value < 0x80 ? ("\\x", 2) : value <= 0xFFFF ? ("\\u", 4) : ("\\U", 8)
        let hex = String(value, radix: 16)
        return prefix + String(repeating: "0", count: max(0, digits - hex.count)) + hex
    }

    /// Printable ASCII only (and newlines and tabs for `.lines`): nothing to do.
    private static func isPlain(_ text: String, layout: Layout) -> Bool {
        let keepsLayout = layout == .lines
        return text.utf8.allSatisfy { byte in
            (byte >= 0x20 && byte < 0x7F) || (keepsLayout && (byte == 0x0A || byte == 0x09))
        }
    }
}
