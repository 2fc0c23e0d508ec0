import Foundation

/// Times that come from outside — a server's `expires_in`, a JWT's `exp`, a date in the
/// token store, a `--timeout` — made safe to compute with. Such a number may be `1e300`,
/// infinite, negative or NaN, and `Int(Double)`, `Duration.seconds` and date arithmetic trap
/// or misbehave on those; every such number passes through here first.
public enum BoundedSeconds {
    /// The longest lifetime believed: ten years. A server that means "never expires" often
    /// says so with a huge number; ten years is as good as never for every schedule here.
    public static let longestLifetime: TimeInterval = 10 * 365.25 * 86400

    /// The latest date accepted from the store (2200-01-01T00:00:00Z). Far enough for any
    /// real expiry, near enough that every difference with now fits an Int and a Duration.
    public static let latestDate = Date(timeIntervalSince1970: 7_258_118_400)

    /// A lifetime in seconds (`expires_in`, `refresh_token_expires_in`): nil when it is not a
    /// number of seconds at all (NaN, infinite, negative), at most `longestLifetime`.
    public static func lifetime(_ seconds: Double?) -> TimeInterval? {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return nil }
        return min(seconds, longestLifetime)
    }

    /// A lifetime as a JSON number or a numeric string (some servers quote `expires_in`).
    public static func lifetime(json value: JSONValue?) -> TimeInterval? {
        guard let value else { return nil }
        if let number = value.doubleValue { return lifetime(number) }
        if let text = value.stringValue?.trimmed(newlines: true), let number = Double(text) {
            return lifetime(number)
        }
        return nil
    }

    /// An instant in seconds since 1970 (a JWT's `exp`): nil when not finite or not after
    /// 1970, at most `longestLifetime` after `now`.
    public static func instant(secondsSince1970 seconds: Double, now: Date) -> Date? {
        guard seconds.isFinite, seconds > 0 else { return nil }
        return min(Date(timeIntervalSince1970: seconds), now.addingTimeInterval(longestLifetime))
    }

    /// A date read back from the store: nil unless between 1970 and `latestDate`.
    public static func storedDate(_ date: Date?) -> Date? {
        guard let date else { return nil }
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds >= 0, date <= latestDate else { return nil }
        return date
    }

    /// A Duration for `seconds`, which may be anything: NaN and negatives are zero, and more
    /// than `longestLifetime` is `longestLifetime` (`Duration.seconds(1e300)` traps).
    public static func duration(_ seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }  // also NaN
        return .milliseconds(Int64((min(seconds, longestLifetime) * 1000).rounded(.up)))
    }
}
