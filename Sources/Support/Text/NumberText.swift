/// Numbers as short display text without `String(format:)`, whose C-locale formatting goes
/// through CoreFoundation (and its locale machinery) on Linux.
public enum NumberText {
    /// 1.25 with 1 digit → "1.3"; 999.6 with 0 digits → "1000". Rounds half away from zero.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<max(0, digits) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { return "\(value)" }
        let units = UInt64(scaled)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard digits > 0 else { return sign + "\(units)" }
        let whole = units / UInt64(scale)
        var fraction = String(units % UInt64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return sign + "\(whole).\(fraction)"
    }

    /// `value` rounded to an Int by `rule`, for any Double: NaN is 0 and values beyond the
    /// Int range are Int.min or Int.max. `Int(Double)` traps on those, and a countdown to an
    /// expiry a server set to 1e300 seconds away must not crash a screen.
    public static func clampedInt(
        _ value: Double, rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero
    ) -> Int {
        guard !value.isNaN else { return 0 }
        let rounded = value.rounded(rule)
        // Double(Int.max) is 2^63, one more than Int.max: compare with >=.
        if rounded >= Double(Int.max) { return Int.max }
        if rounded <= Double(Int.min) { return Int.min }
        return Int(rounded)
    }

    /// 1, "tool" → "1 tool"; 3, "tool" → "3 tools". For nouns whose plural takes an "s".
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// 7 → "07": clocks and countdowns.
    public static func twoDigits(_ value: Int) -> String { value < 10 && value >= 0 ? "0\(value)" : "\(value)" }

    /// Bytes as lowercase hex.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
