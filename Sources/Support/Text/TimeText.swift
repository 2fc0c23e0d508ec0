import Foundation

/// Times of day and spans of time as display text: the one family every screen and command
/// uses, so the dashboard, `watch` and `status` read alike. Spans have three styles, each for
/// its place: `duration` in sentences, `countdown` in a column, `elapsed` for how long a call
/// took. Instants have two: `clock` for people, `iso8601` for programs (`--json`). Hand-written rather than
/// `DateFormatter`, which loads ICU's zone and locale data (a megabyte of resident memory) for
/// "08:00:00". Any number is safe: dates and spans come from servers, which may claim 1e300.
public enum TimeText {
    /// A span for sentences: "42s", "4m12s", "3h05m", "2d4h". NaN and negatives read "0s",
    /// more than a thousand years "over 1000 years" (`status`, `watch`).
    public static func duration(_ seconds: Double) -> String {
        if seconds > 1000 * 365.25 * 86400 { return "over 1000 years" }
        let total = NumberText.clampedInt(max(0, seconds))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(NumberText.twoDigits(total % 60))s" }
        if total < 86400 { return "\(total / 3600)h\(NumberText.twoDigits(total % 3600 / 60))m" }
        return "\(total / 86400)d\(total % 86400 / 3600)h"
    }

    /// A span for a table column, counting down in place: "04:12" under an hour, then "3h05m",
    /// "2d4h", and ">100y" beyond a century (the dashboard). Whole seconds, rounded down, so a
    /// countdown never shows a second that has not begun; NaN and negatives read "00:00".
    public static func countdown(_ seconds: Double) -> String {
        let total = NumberText.clampedInt(max(0, seconds), rounding: .down)
        if total < 3600 { return "\(NumberText.twoDigits(total / 60)):\(NumberText.twoDigits(total % 60))" }
        if total < 86400 { return "\(total / 3600)h\(NumberText.twoDigits(total % 3600 / 60))m" }
        if total >= 86400 * 36500 { return ">100y" }
        return "\(total / 86400)d\(total % 86400 / 3600)h"
    }

    /// How long something took, a tool call or a request: "31 ms" under ten seconds, then
    /// "12.3 s" (the dashboard, `watch`).
    public static func elapsed(_ seconds: Double) -> String {
        seconds < 10
            ? NumberText.fixed(seconds * 1000, digits: 0) + " ms" : NumberText.fixed(seconds, digits: 1) + " s"
    }

    /// The time of day "HH:MM:SS" of `date` in a zone `utcOffset` seconds east of UTC; always
    /// eight characters, for any date.
    public static func clock(_ date: Date, utcOffset: Int) -> String {
        let seconds = NumberText.clampedInt(date.timeIntervalSince1970, rounding: .down) % 86400
        let local = seconds + utcOffset % 86400
        let day = ((local % 86400) + 86400) % 86400
        let (hour, minute, second) = (day / 3600, day % 3600 / 60, day % 60)
        return "\(NumberText.twoDigits(hour)):\(NumberText.twoDigits(minute)):\(NumberText.twoDigits(second))"
    }

    /// The local zone's offset from UTC now, in seconds east, from the C library (TZ,
    /// /etc/localtime). Foundation's `TimeZone.current` would load ICU's zone data for a number.
    public static func localUTCOffset() -> Int {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return 0 }
        return parts.tm_gmtoff
    }

    /// RFC 3339 in UTC, "2027-01-15T08:00:00Z", with `fractionDigits` digits of the second
    /// (truncated) when asked: "2027-01-15T08:00:00.250Z". Years outside 0000...9999, which no
    /// real expiry has, are clamped to that range so the text stays a valid timestamp.
    public static func iso8601(_ date: Date, fractionDigits: Int = 0) -> String {
        let limit = 253_402_300_799.0  // 9999-12-31T23:59:59Z
        let first = -62_167_219_200.0  // 0000-01-01T00:00:00Z
        let interval = date.timeIntervalSince1970.isNaN ? 0 : min(max(date.timeIntervalSince1970, first), limit)
        let whole = interval.rounded(.down)
        let seconds = Int(whole)
        let days = Int((Double(seconds) / 86400).rounded(.down))
        let secondOfDay = seconds - days * 86400
        let (year, month, day) = civilDate(daysSince1970: days)
        var text = fourDigits(year) + "-" + NumberText.twoDigits(month) + "-" + NumberText.twoDigits(day)
        text += "T" + NumberText.twoDigits(secondOfDay / 3600) + ":" + NumberText.twoDigits(secondOfDay % 3600 / 60)
        text += ":" + NumberText.twoDigits(secondOfDay % 60)
        if fractionDigits > 0 {
            var scale = 1.0
            for _ in 0..<min(fractionDigits, 9) { scale *= 10 }
            var fraction = String(Int(((interval - whole) * scale).rounded(.down)))
            while fraction.count < min(fractionDigits, 9) { fraction = "0" + fraction }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// Year, month, day of a count of days since 1970-01-01 in the proleptic Gregorian
    /// calendar (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func fourDigits(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}
