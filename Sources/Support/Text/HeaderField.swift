/// What may go into an HTTP header line, checked on bytes: `"\r\n"` is one `Character` in Swift,
/// so a check for `"\r"` or `"\n"` Characters misses the pair a `${VAR}` can carry.
public enum HeaderField {
    /// RFC 9110 §5.1: a field name is a token (letters, digits and ``!#$%&'*+-.^_`|~``).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isTokenByte)
    }

    /// RFC 9110 §5.5: a field value never holds CR, LF or NUL (a request smuggled after a line
    /// break, or a value libcurl would cut short); other control characters are refused too.
    public static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
