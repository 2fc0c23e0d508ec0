import Foundation
import Testing

@testable import Support

/// Numbers a server or the store may send, absurd ones included, never trap (issue 12).
@Suite struct BoundedSecondsTests {
    let tenYears = BoundedSeconds.longestLifetime

    @Test func lifetimesAreBoundedAndNonsenseIsUnknown() {
        #expect(BoundedSeconds.lifetime(3600) == 3600)
        #expect(BoundedSeconds.lifetime(0) == 0)
        #expect(BoundedSeconds.lifetime(1e300) == tenYears)
        #expect(BoundedSeconds.lifetime(.infinity) == nil)
        #expect(BoundedSeconds.lifetime(-.infinity) == nil)
        #expect(BoundedSeconds.lifetime(.nan) == nil)
        #expect(BoundedSeconds.lifetime(-5) == nil)
        #expect(BoundedSeconds.lifetime(nil) == nil)
    }

    @Test func lifetimesFromJSONAcceptNumbersAndNumericStringsOnly() throws {
        func parsed(_ text: String) throws -> TimeInterval? {
            BoundedSeconds.lifetime(json: try JSONValue.parse(#"{"v": \#(text)}"#)["v"])
        }
        #expect(try parsed("3600") == 3600)
        #expect(try parsed(#""3600""#) == 3600)
        #expect(try parsed("1e300") == tenYears)
        #expect(try parsed("1e400") == nil, "parses as infinity")
        #expect(try parsed(#""1e300""#) == tenYears)
        #expect(try parsed("-5") == nil)
        #expect(try parsed(#""abc""#) == nil)
        #expect(try parsed(#""NaN""#) == nil)
        #expect(try parsed(#""inf""#) == nil)
        #expect(try parsed("true") == nil)
        #expect(try parsed("null") == nil)
    }

    @Test func instantsAreAtMostTenYearsAhead() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(BoundedSeconds.instant(secondsSince1970: 1_800_003_600, now: now) == now.addingTimeInterval(3600))
        #expect(BoundedSeconds.instant(secondsSince1970: 1e300, now: now) == now.addingTimeInterval(tenYears))
        #expect(BoundedSeconds.instant(secondsSince1970: .infinity, now: now) == nil)
        #expect(BoundedSeconds.instant(secondsSince1970: .nan, now: now) == nil)
        #expect(BoundedSeconds.instant(secondsSince1970: -1, now: now) == nil)
    }

    @Test func storedDatesOutside1970To2200AreUnknown() {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(BoundedSeconds.storedDate(date) == date)
        #expect(BoundedSeconds.storedDate(Date(timeIntervalSince1970: 1e300)) == nil)
        #expect(BoundedSeconds.storedDate(Date(timeIntervalSince1970: -1)) == nil)
        #expect(BoundedSeconds.storedDate(Date(timeIntervalSince1970: .nan)) == nil)
        #expect(BoundedSeconds.storedDate(nil) == nil)
    }

    @Test func durationsOfAnyNumberAreBounded() {
        #expect(BoundedSeconds.duration(1.5) == .milliseconds(1500))
        #expect(BoundedSeconds.duration(1e300) == .milliseconds(Int64(tenYears * 1000)))
        #expect(BoundedSeconds.duration(.infinity) == .milliseconds(Int64(tenYears * 1000)))
        #expect(BoundedSeconds.duration(.nan) == .zero)
        #expect(BoundedSeconds.duration(-3) == .zero)
    }

    @Test func aDeadlineOfAnyLengthCanBeScheduled() async throws {
        for seconds in [1e300, .infinity] {
            let id = Deadlines.shared.schedule(after: seconds) {}
            #expect(Deadlines.shared.cancel(id), "\(seconds) s is ten years away, not due yet")
        }
        let fired = Collected<Double>()
        for seconds in [Double.nan, -.infinity] {
            _ = Deadlines.shared.schedule(after: seconds) { Task { await fired.append(seconds) } }
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while await fired.values.count < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await fired.values.count == 2, "NaN and negative deadlines fire at once")
    }
}

/// Values appended from tasks, read by the test.
private actor Collected<Value: Sendable> {
    private(set) var values: [Value] = []
    func append(_ value: Value) { values.append(value) }
}
