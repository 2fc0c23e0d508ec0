import Foundation

/// How much of a token's lifetime is left, and what that means: the one rule behind the
/// countdown colours of mcptop's own servers and of the other clients' token board.
public enum TokenLifetime {
    public enum Phase: Sendable, Equatable {
        case valid
        /// In the last 20% of its lifetime.
        case endingSoon
        case expired
    }

    /// 0…1; a token obtained at an unknown time is taken to live an hour.
    public static func fractionLeft(expiresAt: Date, obtainedAt: Date?, now: Date) -> Double {
        let left = expiresAt.timeIntervalSince(now)
        let lifetime = max(1, obtainedAt.map { expiresAt.timeIntervalSince($0) } ?? 3600)
        return max(0, min(1, left / lifetime))
    }

    public static func phase(expiresAt: Date, obtainedAt: Date?, now: Date) -> Phase {
        if expiresAt <= now { return .expired }
        return fractionLeft(expiresAt: expiresAt, obtainedAt: obtainedAt, now: now) < 0.2 ? .endingSoon : .valid
    }
}
