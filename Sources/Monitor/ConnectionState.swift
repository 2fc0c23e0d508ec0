import Foundation

/// Where a server's connection stands (DESIGN.md, Connection states). Every state carries the
/// human reason and the time it was entered.
public struct ConnectionState: Sendable, Equatable {
    public enum Phase: String, Sendable, Equatable, CaseIterable {
        case idle, connecting, authorizing, connected, refreshing, backoff, needsLogin, failed
        /// The config entry cannot be used as written (an unset `${VAR}`): never connects.
        case config
    }

    public var phase: Phase
    public var reason: String
    public var since: Date
    /// For `backoff`: when the next attempt is due.
    public var retryAt: Date?

    public init(_ phase: Phase, reason: String, since: Date, retryAt: Date? = nil) {
        self.phase = phase
        self.reason = reason
        self.since = since
        self.retryAt = retryAt
    }
}

/// How long to wait after the n-th failure in a row: exponential backoff with full jitter
/// (AWS architecture blog, "Exponential Backoff And Jitter"), capped.
public struct Backoff: Sendable, Equatable {
    public var base: Double
    public var cap: Double

    public init(base: Double = 1, cap: Double = 60) {
        self.base = base
        self.cap = cap
    }

    /// The ceiling for attempt `failures` (1-based): base × 2^(failures−1), at most `cap`.
    public func ceiling(afterFailures failures: Int) -> Double {
        min(cap, base * pow(2, Double(max(0, min(failures - 1, 30)))))
    }

    /// A random delay in [0, ceiling]; never below 10% of it so a failing server is not
    /// retried in a tight loop.
    public func delay<R: RandomNumberGenerator>(afterFailures failures: Int, using random: inout R) -> Double {
        let ceiling = ceiling(afterFailures: failures)
        return Double.random(in: (ceiling * 0.1)...ceiling, using: &random)
    }
}
