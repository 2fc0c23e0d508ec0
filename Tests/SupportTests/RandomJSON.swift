/// Random JSON documents from a seed: valid ones spelled every way the grammar allows
/// (whitespace kinds, escapes, surrogate pairs, exponents, big and tiny numbers), and broken
/// ones made from them by small mutations. The same seed gives the same documents, so a
/// failure names its seed and index and can be replayed.
struct RandomJSON {
    var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    /// A valid document (top-level scalars included).
    mutating func document() -> [UInt8] {
        var bytes: [UInt8] = []
        if chance(1, in: 50) { bytes += [0xEF, 0xBB, 0xBF] }  // a UTF-8 BOM
        bytes += whitespace()
        value(into: &bytes, depth: 0)
        bytes += whitespace()
        return bytes
    }

    /// A document that is probably broken: a valid one with one to three mutations.
    mutating func mutatedDocument() -> [UInt8] {
        var bytes = document()
        for _ in 0..<Int.random(in: 1...3, using: &generator) { mutate(&bytes) }
        return bytes
    }

    // MARK: Values

    private mutating func value(into bytes: inout [UInt8], depth: Int) {
        let containers = depth < 6 ? 2 : 0
        switch Int.random(in: 0..<(6 + containers), using: &generator) {
        case 0: bytes += Array("null".utf8)
        case 1: bytes += Array("true".utf8)
        case 2: bytes += Array("false".utf8)
        case 3, 4: bytes += number()
        case 5: bytes += string()
        case 6:
            bytes.append(UInt8(ascii: "["))
            bytes += whitespace()
            let count = Int.random(in: 0...5, using: &generator)
            for index in 0..<count {
                if index > 0 {
                    bytes += whitespace()
                    bytes.append(UInt8(ascii: ","))
                    bytes += whitespace()
                }
                value(into: &bytes, depth: depth + 1)
            }
            bytes += whitespace()
            bytes.append(UInt8(ascii: "]"))
        default:
            bytes.append(UInt8(ascii: "{"))
            bytes += whitespace()
            var keys: Set<String> = []
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                // Distinct keys, so that neither side's choice among duplicates is tested here.
                let key = self.key()
                guard keys.insert(key).inserted else { continue }
                if keys.count > 1 {
                    bytes += whitespace()
                    bytes.append(UInt8(ascii: ","))
                    bytes += whitespace()
                }
                bytes += Array("\"\(key)\"".utf8)
                bytes += whitespace()
                bytes.append(UInt8(ascii: ":"))
                bytes += whitespace()
                value(into: &bytes, depth: depth + 1)
            }
            bytes += whitespace()
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Keys from a small alphabet with no combining marks, so that String's canonical
    /// equivalence cannot merge two different keys on one side only.
    private mutating func key() -> String {
        let alphabet = Array("abcxyz_09é€😀 ")
        let length = Int.random(in: 0...4, using: &generator)
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
    }

    /// Any number the grammar allows: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`,
    /// with integers past Int64, exponents past Double's range (1e400) and below it.
    private mutating func number() -> [UInt8] {
        var text = chance(1, in: 3) ? "-" : ""
        if chance(1, in: 4) {
            text += "0"
        } else {
            text += String(Int.random(in: 1...9, using: &generator))
            text += digits(Int.random(in: 0...(chance(1, in: 5) ? 25 : 6), using: &generator))
        }
        if chance(1, in: 3) { text += "." + digits(Int.random(in: 1...(chance(1, in: 5) ? 20 : 4), using: &generator)) }
        if chance(1, in: 4) {
            text += chance(1, in: 2) ? "e" : "E"
            text += ["", "+", "-"].randomElement(using: &generator) ?? ""
            text += digits(Int.random(in: 1...3, using: &generator))
        }
        return Array(text.utf8)
    }

    private mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }

    /// A string with plain text, every escape, `\u` escapes (BMP and surrogate pairs), raw
    /// multi-byte UTF-8, U+2028, DEL, and now and then a lone surrogate escape.
    private mutating func string() -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            switch Int.random(in: 0..<12, using: &generator) {
            case 0...3: bytes += Array(String(Array("abc XYZ 019 {}[]:,'/").randomElement(using: &generator)!).utf8)
            case 4:
                bytes += Array(
                    (["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"].randomElement(using: &generator) ?? "")
                        .utf8)
            case 5: bytes += Array(unicodeEscape(UInt16.random(in: 0...0xD7FF, using: &generator)).utf8)
            case 6: bytes += Array(unicodeEscape(UInt16.random(in: 0xE000...0xFFFF, using: &generator)).utf8)
            case 7:
                let scalar = UInt32.random(in: 0x10000...0x10FFFF, using: &generator) - 0x10000
                bytes += Array(unicodeEscape(UInt16(0xD800 + (scalar >> 10))).utf8)
                bytes += Array(unicodeEscape(UInt16(0xDC00 + (scalar & 0x3FF))).utf8)
            case 8: bytes += Array(String(Array("éß€😀\u{2028}\u{7F}\u{FEFF}日").randomElement(using: &generator)!).utf8)
            case 9: bytes += Array(unicodeEscape(UInt16.random(in: 0...0x1F, using: &generator)).utf8)
            case 10 where chance(1, in: 10):
                bytes += Array(unicodeEscape(UInt16.random(in: 0xD800...0xDFFF, using: &generator)).utf8)
            default: bytes += Array("e\u{301}".utf8)  // a combining mark, kept as written
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return bytes
    }

    private mutating func unicodeEscape(_ unit: UInt16) -> String {
        let hex = String(unit, radix: 16)
        let padded = String(repeating: "0", count: 4 - hex.count) + hex
        return "\\u" + (chance(1, in: 2) ? padded.uppercased() : padded)
    }

    /// The four whitespace bytes JSON allows, usually none.
    private mutating func whitespace() -> [UInt8] {
        guard chance(1, in: 3) else { return [] }
        let kinds: [UInt8] = [0x20, 0x09, 0x0A, 0x0D]
        return (0..<Int.random(in: 1...3, using: &generator)).map { _ in kinds.randomElement(using: &generator)! }
    }

    // MARK: Mutations

    /// Bytes that change a document's meaning or break it: structure, number and escape
    /// characters, control bytes, and bytes that are never, or only sometimes, valid UTF-8.
    private static let interestingBytes: [UInt8] =
        Array("{}[],:\"\\/019-+.eEtfnua x\t\n\r".utf8) + [
            0x00, 0x01, 0x0B, 0x0C, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFE, 0xFF,
        ]

    private mutating func mutate(_ bytes: inout [UInt8]) {
        let interesting = Self.interestingBytes.randomElement(using: &generator)!
        guard !bytes.isEmpty else {
            bytes.append(interesting)
            return
        }
        let at = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: bytes.remove(at: at)
        case 1: bytes.insert(interesting, at: at)
        case 2: bytes[at] = interesting
        case 3: bytes.removeSubrange(at...)  // truncated
        case 4:
            let end = min(bytes.count, at + Int.random(in: 1...8, using: &generator))
            bytes.insert(contentsOf: bytes[at..<end], at: at)
        default:
            let other = Int.random(in: 0..<bytes.count, using: &generator)
            bytes.swapAt(at, other)
        }
    }

    private mutating func chance(_ count: Int, in total: Int) -> Bool {
        Int.random(in: 0..<total, using: &generator) < count
    }
}
