import Foundation
import Testing

@testable import Support

@Suite struct TimeTextTests {
    /// `mcptop status` and `watch` crashed (SIGILL) on an expiry 1e300 seconds away.
    @Test func durationsOfAnyNumberAreText() {
        #expect(TimeText.duration(42) == "42s")
        #expect(TimeText.duration(252) == "4m12s")
        #expect(TimeText.duration(11100) == "3h05m")
        #expect(TimeText.duration(187_200) == "2d4h")
        #expect(TimeText.duration(1e300) == "over 1000 years")
        #expect(TimeText.duration(.infinity) == "over 1000 years")
        #expect(TimeText.duration(.nan) == "0s")
        #expect(TimeText.duration(-.infinity) == "0s")
        #expect(TimeText.duration(-5) == "0s")
        #expect(TimeText.duration(1e10) == "115740d17h")
    }

    /// The dashboard's column: fixed width under an hour, seconds rounded down.
    @Test func countdownsKeepTheirWidthAndTakeAnyNumber() {
        #expect(TimeText.countdown(0) == "00:00")
        #expect(TimeText.countdown(59.9) == "00:59")
        #expect(TimeText.countdown(252) == "04:12")
        #expect(TimeText.countdown(3599) == "59:59")
        #expect(TimeText.countdown(11100) == "3h05m")
        #expect(TimeText.countdown(187_200) == "2d4h")
        #expect(TimeText.countdown(86400 * 36500) == ">100y")
        #expect(TimeText.countdown(.infinity) == ">100y")
        #expect(TimeText.countdown(.nan) == "00:00")
        #expect(TimeText.countdown(-1e300) == "00:00")
    }

    @Test func elapsedTimesAreMillisecondsUnderTenSeconds() {
        #expect(TimeText.elapsed(0.031) == "31 ms")
        #expect(TimeText.elapsed(9.9994) == "9999 ms")
        #expect(TimeText.elapsed(12.34) == "12.3 s")
        #expect(TimeText.elapsed(.infinity) == "inf s")
    }

    @Test func clockTimesAreEightCharactersInTheGivenZone() {
        let date = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z
        #expect(TimeText.clock(date, utcOffset: 0) == "08:00:00")
        #expect(TimeText.clock(date, utcOffset: 3600 * 5 + 1800) == "13:30:00")
        #expect(TimeText.clock(date, utcOffset: -3600 * 9) == "23:00:00", "the day before")
        #expect(TimeText.clock(Date(timeIntervalSince1970: -1), utcOffset: 0) == "23:59:59")
        for seconds in [1e300, -1e300, .nan, .infinity] {
            #expect(TimeText.clock(Date(timeIntervalSince1970: seconds), utcOffset: 0).count == 8)
        }
    }

    /// The same text as the `DateFormatter` it replaces, in the zone the C library reports.
    @Test func clockMatchesDateFormatterInTheLocalZone() {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(secondsFromGMT: TimeText.localUTCOffset())
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let date = Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &generator)))
            #expect(TimeText.clock(date, utcOffset: TimeText.localUTCOffset()) == formatter.string(from: date))
        }
    }

    /// Differential: the text `ISO8601DateFormatter` gave `watch --json` and `status --json`.
    @Test func iso8601MatchesFoundationsFormatter() {
        let plain = ISO8601DateFormatter()
        var generator = SeededGenerator(seed: 11)
        var dates = [0, 951_782_400, 1_800_000_000, 4_107_542_400, -86400, 253_402_300_799].map {
            Date(timeIntervalSince1970: Double($0))
        }
        for _ in 0..<500 {
            dates.append(
                Date(timeIntervalSince1970: Double(Int.random(in: -2_000_000_000...8_000_000_000, using: &generator))))
        }
        for date in dates {
            #expect(TimeText.iso8601(date) == plain.string(from: date), "\(date.timeIntervalSince1970)")
        }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // Whole milliseconds, exactly representable enough that truncating and rounding agree.
        for _ in 0..<500 {
            let milliseconds = Int.random(in: 0...4_000_000_000_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000 + 0.0001)
            #expect(TimeText.iso8601(date, fractionDigits: 3) == fractional.string(from: date))
        }
    }

    @Test func iso8601StaysATimestampForAnyDate() {
        #expect(
            TimeText.iso8601(Date(timeIntervalSince1970: 1_800_000_000.25), fractionDigits: 3)
                == "2027-01-15T08:00:00.250Z")
        #expect(TimeText.iso8601(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59Z")
        #expect(TimeText.iso8601(Date(timeIntervalSince1970: -1e300)) == "0000-01-01T00:00:00Z")
        #expect(TimeText.iso8601(Date(timeIntervalSince1970: .nan)) == "1970-01-01T00:00:00Z")
        #expect(TimeText.iso8601(Date(timeIntervalSince1970: -0.5), fractionDigits: 1) == "1969-12-31T23:59:59.5Z")
    }
}
