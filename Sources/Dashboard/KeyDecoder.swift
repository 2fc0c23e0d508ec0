/// Turns the characters ncurses hands over (what `wget_wch` returned, function keys it decoded
/// itself aside) into keys, decoding the escape sequences the terminal's terminfo entry does not
/// list. With `TERM=xterm-256color` inside tmux, Home arrives as ESC [ 1 ~: ncurses gives up on
/// it after the escape delay and returns ESC, [, 1 and ~ one by one, which used to read as Esc
/// (closing the tool pane) followed by typing "[1~".
///
/// The variants are those htop and the common terminals send (xterm, VT220, rxvt, the Linux
/// console, tmux, screen). A complete sequence that is no key mcptop uses (Insert, F13, a
/// terminal report, a bracketed-paste marker) is dropped whole. ESC followed by anything but
/// `[` or `O` is Esc, and the rest is read as typed: Esc then `/` sent together stays Esc then
/// `/`, so Alt+x (which terminals send the same way) is Esc then x. mcptop binds no Alt keys.
public enum KeyDecoder {
    /// ESC, which starts every sequence.
    public static let escape: UInt32 = 0x1B

    /// What an ESC and the units after it mean.
    public enum EscapeSequence: Sendable, Equatable {
        /// A key; the sequence is `length` units after the ESC.
        case key(Key, length: Int)
        /// `length` units after the ESC that make no key mcptop uses: dropped together.
        case ignored(length: Int)
        /// The units end inside a sequence; the rest may still be on its way.
        case incomplete
    }

    /// Decodes units read in one go. A sequence cut off by the end is returned in `unfinished`
    /// (from its ESC on) for the caller to complete with what arrives next, or to drop.
    public static func decode(_ units: [UInt32]) -> (keys: [Key], unfinished: [UInt32]) {
        var keys: [Key] = []
        var index = 0
        while index < units.count {
            let unit = units[index]
            guard unit == escape else {
                if let key = key(for: unit) { keys.append(key) }
                index += 1
                continue
            }
            switch decodeEscape(following: units[(index + 1)...]) {
            case .key(let key, let length):
                keys.append(key)
                index += 1 + length
            case .ignored(let length):
                index += 1 + length
            case .incomplete:
                return (keys, Array(units[index...]))
            }
        }
        return (keys, [])
    }

    /// The key for one unit that is not ESC: Enter, Tab, Backspace, or a character. Control
    /// characters (Ctrl+A is 1) arrive as characters for the reducer to bind.
    public static func key(for unit: UInt32) -> Key? {
        switch unit {
        case 10, 13: return .enter
        case 9: return .tab
        case 8, 127: return .backspace
        default: return Unicode.Scalar(unit).map { .character(Character($0)) }
        }
    }

    /// Decodes the units after an ESC. Nothing after it is a lone Esc (ncurses has already
    /// waited the escape delay for more); so is anything but the start of a CSI or SS3 sequence.
    public static func decodeEscape(following units: ArraySlice<UInt32>) -> EscapeSequence {
        guard let first = units.first else { return .key(.escape, length: 0) }
        switch first {
        case ascii("["): return controlSequence(units.dropFirst()).shifted(by: 1)
        case ascii("O"): return singleShift(units.dropFirst()).shifted(by: 1)
        // Esc, and what follows is read on its own: keys sent or delivered together (tmux
        // send-keys, a paste, a stalled ssh link) keep their meaning, and Alt+x is Esc then x.
        default: return .key(.escape, length: 0)
        }
    }

    // MARK: CSI: ESC [ parameters intermediates final

    /// ECMA-48 §5.4: parameter bytes 0x30–0x3F, then intermediate bytes 0x20–0x2F, then one
    /// final byte 0x40–0x7E. `units` start after the `[`.
    static func controlSequence(_ slice: ArraySlice<UInt32>) -> EscapeSequence {
        let units = Units(slice)
        guard let first = units.first else { return .incomplete }
        // Linux console: F1–F5 are ESC [ [ A to ESC [ [ E.
        if first == ascii("[") {
            guard units.count > 1 else { return .incomplete }
            guard (0x40...0x7E).contains(units[1]) else { return .ignored(length: 1) }
            let function = Int(units[1]) - Int(ascii("A")) + 1
            return (1...5).contains(function) ? .key(.function(function), length: 2) : .ignored(length: 2)
        }
        // X10 mouse report (ESC [ M and three bytes), when ncurses did not decode it.
        if first == ascii("M") {
            return units.count >= 4 ? .ignored(length: 4) : .incomplete
        }
        var index = 0
        while index < units.count, (0x30...0x3F).contains(units[index]) { index += 1 }
        let parameters = String(decoding: units[0..<index].map { UInt8($0) }, as: UTF8.self)
        // rxvt ends Shift+Home and friends with $ (ESC [ 7 $), an intermediate byte elsewhere.
        if index < units.count, units[index] == ascii("$"), !parameters.isEmpty, parameters.allSatisfy(\.isNumber) {
            return tildeKey(parameters).map { .key($0, length: index + 1) } ?? .ignored(length: index + 1)
        }
        let intermediatesStart = index
        while index < units.count, (0x20...0x2F).contains(units[index]) { index += 1 }
        guard index < units.count else { return .incomplete }
        let final = units[index]
        let length = index + 1
        // Anything else (a control character, another ESC) means the sequence was cut: drop
        // what came before it and decode it afresh.
        guard (0x40...0x7E).contains(final) else { return .ignored(length: index) }
        // Private parameters (<, =, >, ?) and intermediates belong to reports, never keys.
        let isReport =
            index > intermediatesStart || parameters.contains { "<=>?".contains($0) }
        guard !isReport, let key = csiKey(final: final, parameters: parameters) else {
            return .ignored(length: length)
        }
        return .key(key, length: length)
    }

    /// The key for a CSI sequence; modifiers (ESC [ 1 ; 5 C is Ctrl+Right) are ignored.
    static func csiKey(final: UInt32, parameters: String) -> Key? {
        let first = parameters.split(separator: ";", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let firstIsOne = first.isEmpty || first == "1"
        guard let final = Unicode.Scalar(final) else { return nil }
        switch Character(final) {
        case "A": return .up
        case "B": return .down
        case "C": return .right
        case "D": return .left
        case "H": return .home
        case "F": return .end
        case "Z": return .backTab
        // xterm's modified F1–F4 (ESC [ 1 ; 2 P); CSI R with other numbers is a cursor report.
        case "P": return firstIsOne ? .function(1) : nil
        case "Q": return firstIsOne ? .function(2) : nil
        case "R": return firstIsOne ? .function(3) : nil
        case "S": return firstIsOne ? .function(4) : nil
        // rxvt: Shift+arrows are ESC [ a to ESC [ d.
        case "a": return parameters.isEmpty ? .up : nil
        case "b": return parameters.isEmpty ? .down : nil
        case "c": return parameters.isEmpty ? .right : nil
        case "d": return parameters.isEmpty ? .left : nil
        // VT220 ESC [ n ~; rxvt ends Ctrl variants with ^ and Ctrl+Shift with @.
        case "~", "^", "@": return tildeKey(parameters)
        default: return nil
        }
    }

    /// VT220-style keys, ESC [ n ~ (a modifier may follow: ESC [ 3 ; 5 ~). Insert (2) and
    /// F13 and up are no keys mcptop uses; 200 and 201 mark a bracketed paste, never enabled.
    static func tildeKey(_ parameters: String) -> Key? {
        guard let number = parameters.split(separator: ";", omittingEmptySubsequences: false).first.flatMap({ Int($0) })
        else { return nil }
        switch number {
        case 1, 7: return .home
        case 3: return .delete
        case 4, 8: return .end
        case 5: return .pageUp
        case 6: return .pageDown
        case 11...15: return .function(number - 10)
        case 17...21: return .function(number - 11)
        case 23, 24: return .function(number - 12)
        default: return nil
        }
    }

    // MARK: SS3: ESC O final

    /// Application-mode cursor keys, Home/End, F1–F4 and the keypad. Some terminals put a
    /// modifier digit before the final byte (ESC O 5 A); it is skipped. `units` start after the `O`.
    static func singleShift(_ slice: ArraySlice<UInt32>) -> EscapeSequence {
        let units = Units(slice)
        var index = 0
        while index < units.count, (0x30...0x39).contains(units[index]) || units[index] == ascii(";") { index += 1 }
        guard index < units.count else { return .incomplete }
        let final = units[index]
        guard (0x40...0x7E).contains(final) else { return .ignored(length: index) }
        let length = index + 1
        let key: Key?
        switch Character(Unicode.Scalar(UInt8(truncatingIfNeeded: final))) {
        case "A": key = .up
        case "B": key = .down
        case "C": key = .right
        case "D": key = .left
        case "H": key = .home
        case "F": key = .end
        case "P": key = .function(1)
        case "Q": key = .function(2)
        case "R": key = .function(3)
        case "S": key = .function(4)
        case "M": key = .enter  // keypad Enter
        case "X": key = .character("=")
        default:
            // Keypad in application mode: ESC O j to ESC O y are * + , - . / 0–9.
            let keypad = Array("*+,-./0123456789")
            let offset = Int(final) - Int(ascii("j"))
            key = keypad.indices.contains(offset) ? .character(keypad[offset]) : nil
        }
        return key.map { .key($0, length: length) } ?? .ignored(length: length)
    }

    private static func ascii(_ character: Unicode.Scalar) -> UInt32 { character.value }

    /// A slice read from offset 0, without copying what follows the sequence.
    private struct Units {
        let slice: ArraySlice<UInt32>
        init(_ slice: ArraySlice<UInt32>) { self.slice = slice }
        var count: Int { slice.count }
        var first: UInt32? { slice.first }
        subscript(offset: Int) -> UInt32 { slice[slice.startIndex + offset] }
        subscript(range: Range<Int>) -> ArraySlice<UInt32> {
            slice[(slice.startIndex + range.lowerBound)..<(slice.startIndex + range.upperBound)]
        }
    }
}

extension KeyDecoder.EscapeSequence {
    /// The same result for a sequence that starts `count` units later.
    fileprivate func shifted(by count: Int) -> Self {
        switch self {
        case .key(let key, let length): return .key(key, length: length + count)
        case .ignored(let length): return .ignored(length: length + count)
        case .incomplete: return .incomplete
        }
    }
}
