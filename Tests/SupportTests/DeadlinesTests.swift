import Foundation
import Synchronization
import Testing

@testable import Support

@Suite struct DeadlinesTests {
    /// A later deadline scheduled first must not hold back an earlier one scheduled after it.
    @Test func deadlinesFireInOrderOfDueTimeNotOfScheduling() async throws {
        let fired = Mutex<[String]>([])
        let deadlines = Deadlines.shared
        let late = deadlines.schedule(after: 30) { fired.withLock { $0.append("late") } }
        _ = deadlines.schedule(after: 0.2) { fired.withLock { $0.append("second") } }
        _ = deadlines.schedule(after: 0.05) { fired.withLock { $0.append("first") } }
        let start = ContinuousClock.now
        while fired.withLock({ $0.count }) < 2, ContinuousClock.now - start < .seconds(5) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(fired.withLock { $0 } == ["first", "second"])
        #expect(deadlines.cancel(late), "a deadline not yet due is cancelled")
    }

    @Test func aCancelledDeadlineNeverFiresAndCancellingLateSaysSo() async throws {
        let fired = Mutex(0)
        let deadlines = Deadlines.shared
        let cancelled = deadlines.schedule(after: 0.05) { fired.withLock { $0 += 1 } }
        #expect(deadlines.cancel(cancelled))
        let due = deadlines.schedule(after: 0.01) { fired.withLock { $0 += 10 } }
        let start = ContinuousClock.now
        while fired.withLock({ $0 }) == 0, ContinuousClock.now - start < .seconds(5) {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(fired.withLock { $0 } == 10)
        #expect(!deadlines.cancel(due), "too late: it has fired")
    }
}
