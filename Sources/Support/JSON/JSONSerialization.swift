extension JSONValue {
    /// Compact JSON text, as sent on the wire.
    public func serialized() -> String { String(decoding: serializedBytes(), as: UTF8.self) }

    /// UTF-8 bytes of the compact form.
    public func serializedBytes() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        write(to: &output, indent: nil, level: 0)
        return output
    }

    /// Indented JSON text, for people.
    public func prettyPrinted(indent: Int = 2) -> String {
        var output: [UInt8] = []
        write(to: &output, indent: indent, level: 0)
        return String(decoding: output, as: UTF8.self)
    }

    // Written as bytes: appending to a String scalar by scalar cost more than the request.
    private func write(to output: inout [UInt8], indent: Int?, level: Int) {
        switch self {
        case .null: output += "null".utf8
        case .bool(let b): output += (b ? "true" : "false").utf8
        case .int(let i): output += String(i).utf8
        case .double(let d): output += JSONValue.format(d).utf8
        case .string(let s): JSONValue.writeString(s, to: &output)
        case .array(let items):
            if items.isEmpty {
                output += "[]".utf8
                return
            }
            output.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.newline(&output, indent: indent, level: level + 1)
                item.write(to: &output, indent: indent, level: level + 1)
            }
            JSONValue.newline(&output, indent: indent, level: level)
            output.append(UInt8(ascii: "]"))
        case .object(let dictionary):
            if dictionary.isEmpty {
                output += "{}".utf8
                return
            }
            output.append(UInt8(ascii: "{"))
            for (position, (key, value)) in dictionary.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.newline(&output, indent: indent, level: level + 1)
                JSONValue.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                if indent != nil { output.append(UInt8(ascii: " ")) }
                value.write(to: &output, indent: indent, level: level + 1)
            }
            JSONValue.newline(&output, indent: indent, level: level)
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ output: inout [UInt8], indent: Int?, level: Int) {
        guard let indent else { return }
        output.append(UInt8(ascii: "\n"))
        output += repeatElement(UInt8(ascii: " "), count: indent * level)
    }

    /// Whole numbers print without a fraction ("5", not "5.0"); NaN and infinities, which
    /// JSON cannot carry, print as null.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    /// Quotes and escapes `s`: runs of plain bytes are copied whole. Escaped are the quote,
    /// the backslash, and every scalar a terminal would act on (`TerminalText.isUnsafe`: C0,
    /// DEL, C1, U+2028/U+2029, bidi and other format characters), so JSON printed for a
    /// person or a pipe carries no control sequence either.
    private static func writeString(_ s: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let escape: String?
                var length = 1
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "\n"): escape = "\\n"
                case UInt8(ascii: "\r"): escape = "\\r"
                case UInt8(ascii: "\t"): escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0x00..<0x20, 0x7F: escape = unicodeEscape(UInt16(byte))
                case 0xC2...0xF4:
                    let (scalar, scalarLength) = decodeScalar(bytes, at: index)
                    escape = TerminalText.isUnsafe(scalar) ? unicodeEscape(scalar) : nil
                    length = scalarLength
                default: escape = nil
                }
                if let escape {
                    output += UnsafeBufferPointer(rebasing: bytes[start..<index])
                    output += escape.utf8
                    index += length
                    start = index
                } else {
                    index += length
                }
            }
            output += UnsafeBufferPointer(rebasing: bytes[start..<bytes.count])
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func unicodeEscape(_ value: UInt16) -> String {
        "\\u" + NumberText.hex([UInt8(value >> 8), UInt8(value & 0xFF)])
    }

    /// `\uXXXX`, or a surrogate pair beyond the basic plane (RFC 8259 §7).
    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        guard scalar.value > 0xFFFF else { return unicodeEscape(UInt16(scalar.value)) }
        let offset = scalar.value - 0x10000
        return unicodeEscape(UInt16(0xD800 + (offset >> 10))) + unicodeEscape(UInt16(0xDC00 + (offset & 0x3FF)))
    }

    /// The scalar whose UTF-8 starts at `index` of valid UTF-8, and its length in bytes.
    private static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = bytes[index]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead) & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
        for offset in 1..<length where index + offset < bytes.count {
            value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", min(length, bytes.count - index))
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { serialized() }
}
