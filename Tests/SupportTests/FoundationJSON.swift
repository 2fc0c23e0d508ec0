import Foundation

@testable import Support

/// Foundation's `JSONSerialization` as the second opinion on our parser, and how to compare
/// its answers with ours.
///
/// Known, intended differences (JSONTests and the differential test allow exactly these):
/// - A lone or misordered surrogate escape (`"\uD800"`): we read U+FFFD, Foundation refuses
///   the document. A server's one odd string should not cost the whole message.
/// - Integers beyond Int64 (`123456789012345678901234567890`): we read the nearest Double,
///   Foundation keeps every digit (NSDecimalNumber). Compared as Doubles, within 1e-15.
/// - A number beyond Double's range (`1e400`): we read infinity, Foundation refuses the
///   document ("not representable"). Readers bound such values (BoundedSeconds).
/// - Duplicate keys: both keep the last value; we keep the key where it first appeared.
/// - U+FEFF inside a string: Foundation drops one that starts a run of unescaped text (it
///   decodes each run like a file and takes it for a byte order mark); we keep every
///   character the server sent, and skip a BOM only at the very start of the document.
///   Strings are compared without U+FEFF.
/// - A trailing comma (`[1,]`, `{"a":1,}`): Foundation accepts one, we refuse it (RFC 8259's
///   grammar; JSONTestSuite's n_array_extra_comma, n_object_trailing_comma).
/// - A NUL byte among the first four: Foundation takes the document for UTF-16 or UTF-32 and
///   may read something (`"9\0"` is 9); we read UTF-8 only (RFC 8259 §8.1) and refuse NUL
///   outside strings.
/// - `-0`: we read the integer 0, Foundation too (an `Int`); `-0.0` is the Double -0.0 in both.
enum FoundationJSON {
    /// Foundation's reading of `bytes`, top-level scalars allowed; nil when it refuses.
    static func parse(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// nil when `theirs` (from `JSONSerialization`) holds the same value as `ours`; else
    /// where and how they differ.
    static func difference(ours: JSONValue, theirs: Any, at path: String = "") -> String? {
        let number = theirs as? NSNumber
        // JSONSerialization's booleans are NSNumbers of type "c" (char); its numbers are not.
        let theirBool = number.flatMap { String(cString: $0.objCType) == "c" ? $0.boolValue : nil }
        switch ours {
        case .null:
            return theirs is NSNull ? nil : "\(path): null vs \(theirs)"
        case .bool(let value):
            return theirBool == value ? nil : "\(path): \(value) vs \(theirs)"
        case .int(let value):
            guard let number, theirBool == nil else { return "\(path): \(value) vs \(theirs)" }
            // Foundation keeps some long integers (19 digits) as decimals: compared as text.
            if number is NSDecimalNumber {
                return number.stringValue == String(value) ? nil : "\(path): \(value) vs the decimal \(number)"
            }
            return number.int64Value == value && number.doubleValue == Double(value)
                ? nil : "\(path): \(value) vs \(number)"
        case .double(let value):
            guard let number, theirBool == nil else { return "\(path): \(value) vs \(theirs)" }
            let theirValue = number.doubleValue
            if theirValue == value { return nil }
            // Digits beyond a Double's: Foundation keeps them all and rounds on the way out.
            if number is NSDecimalNumber || String(cString: number.objCType) == "Q",
                abs(theirValue - value) <= abs(value) * 1e-15
            {
                return nil
            }
            return "\(path): \(value) vs \(theirValue)"
        case .string(let value):
            guard let theirString = theirs as? String else { return "\(path): string vs \(theirs)" }
            // Scalar by scalar: String's == would call "é" and "e\u{301}" the same. Foundation
            // drops every U+FEFF from strings; we keep what the server sent.
            return Array(value.unicodeScalars.filter { $0 != "\u{FEFF}" })
                == Array(theirString.unicodeScalars.filter { $0 != "\u{FEFF}" })
                ? nil : "\(path): \(value.debugDescription) vs \(theirString.debugDescription)"
        case .array(let items):
            guard let theirItems = theirs as? [Any] else { return "\(path): array vs \(theirs)" }
            guard items.count == theirItems.count else {
                return "\(path): \(items.count) items vs \(theirItems.count)"
            }
            for (index, item) in items.enumerated() {
                if let difference = difference(ours: item, theirs: theirItems[index], at: "\(path)/\(index)") {
                    return difference
                }
            }
            return nil
        case .object(let members):
            guard let theirMembers = theirs as? [String: Any] else { return "\(path): object vs \(theirs)" }
            guard members.count == theirMembers.count else {
                return "\(path): \(members.count) members vs \(theirMembers.count)"
            }
            for (key, value) in members {
                guard let theirValue = theirMembers[key] else { return "\(path): no member \(key.debugDescription)" }
                if let difference = difference(ours: value, theirs: theirValue, at: "\(path)/\(key)") {
                    return difference
                }
            }
            return nil
        }
    }

    /// True when Foundation reads a document we refuse for one of the documented reasons: a
    /// trailing comma where we stopped (and without it we read what Foundation read), or a
    /// NUL byte among the first four (Foundation's guess at UTF-16 or UTF-32).
    static func isFoundationLeniency(_ bytes: [UInt8], ourError: JSONSyntaxError, theirs: Any) -> Bool {
        if bytes.prefix(4).contains(0) { return true }
        guard ourError.offset < bytes.count, [UInt8(ascii: "]"), UInt8(ascii: "}")].contains(bytes[ourError.offset])
        else { return false }
        var comma = ourError.offset - 1
        while comma >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[comma]) { comma -= 1 }
        guard comma >= 0, bytes[comma] == UInt8(ascii: ",") else { return false }
        var withoutComma = bytes
        withoutComma.remove(at: comma)
        guard let ours = try? JSONValue.parse(withoutComma) else { return false }
        return difference(ours: ours, theirs: theirs) == nil
    }

    /// True when we read a document Foundation refuses for a documented reason: a lone
    /// surrogate escape, which we read as U+FFFD (that must not have been in the input already,
    /// as itself or as an escape), or a number beyond Double's range, which we read as infinity.
    static func isOurLeniency(_ bytes: [UInt8], ours: JSONValue) -> Bool {
        if contains(ours, number: { !$0.isFinite }) { return true }
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        guard !text.contains("\u{FFFD}"), !text.contains("\\ufffd") else { return false }
        return contains(ours, string: { $0.unicodeScalars.contains("\u{FFFD}") })
    }

    private static func contains(
        _ value: JSONValue, string: (String) -> Bool = { _ in false }, number: (Double) -> Bool = { _ in false }
    ) -> Bool {
        switch value {
        case .string(let text): return string(text)
        case .double(let double): return number(double)
        case .array(let items): return items.contains { contains($0, string: string, number: number) }
        case .object(let members):
            return members.contains { string($0.key) || contains($0.value, string: string, number: number) }
        default: return false
        }
    }
}
