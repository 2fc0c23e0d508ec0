/// JSON with comments (JSONC), as Zed, VS Code and opencode write their settings: `//` and
/// `/* */` comments and trailing commas before `}` or `]`. They are blanked out with spaces,
/// keeping every newline, so the strict parser's line and column still point into the file.
enum JSONWithComments {
    static func strip(_ bytes: [UInt8]) -> [UInt8] {
        var output = bytes
        var index = 0
        var inString = false
        // The last comma seen outside strings, still waiting to learn what follows it.
        var pendingComma: Int?
        func blank(_ range: Range<Int>) {
            for position in range where output[position] != UInt8(ascii: "\n") { output[position] = UInt8(ascii: " ") }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
                continue
            }
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            if byte == UInt8(ascii: "/"), next == UInt8(ascii: "/") {
                var end = index
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                blank(index..<end)
                index = end
                continue
            }
            if byte == UInt8(ascii: "/"), next == UInt8(ascii: "*") {
                var end = index + 2
                while end + 1 < bytes.count, !(bytes[end] == UInt8(ascii: "*") && bytes[end + 1] == UInt8(ascii: "/")) {
                    end += 1
                }
                // An unclosed comment runs to the end of the file; the parser then reports it.
                end = min(end + 2, bytes.count)
                blank(index..<end)
                index = end
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let comma = pendingComma { output[comma] = UInt8(ascii: " ") }
                pendingComma = nil
            case UInt8(ascii: ","):
                pendingComma = index
            case UInt8(ascii: "\""):
                inString = true
                pendingComma = nil
            default:
                pendingComma = nil
            }
            index += 1
        }
        return output
    }
}
