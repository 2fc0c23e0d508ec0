import Foundation
import Monitor
import OAuth

/// Counts one server's token refreshes, each once, from the two kinds of event that report them.
///
/// A refresh shows up as a `tokenChanged` event whose `refreshCount` went up (scheduled
/// refreshes, refreshes at connect time or after a 401: these publish nothing else) and, for
/// a manual refresh, also as a `.refreshed` event right after it for the same refresh. A
/// failure that makes the login unusable shows up as a `tokenChanged` event with a newer
/// `lastRefreshAt` and an `unusableReason`, and for a manual or scheduled refresh also as a
/// `.refreshed(.failure)`. A `.refreshed` event that reports what the preceding
/// `tokenChanged` already counted is not counted again.
struct RefreshTally: Sendable, Equatable {
    enum Result: Sendable, Equatable {
        case ok, failed
    }

    /// The refresh count and last refresh time of the login as last seen.
    private var refreshCount: Int
    private var lastRefreshAt: Date?
    private var expiresAt: Date?
    /// What the last `tokenChanged` counted, still waiting for its `.refreshed` twin.
    private var unreported: Result?

    /// `token` is the stored login when counting starts; what it already records is not counted.
    init(token: TokenSummary?) {
        refreshCount = token?.refreshCount ?? 0
        lastRefreshAt = token?.lastRefreshAt
        expiresAt = token?.expiresAt
    }

    /// The refresh a `tokenChanged` event reports, if any.
    mutating func tokenChanged(_ token: TokenSummary?) -> Result? {
        defer {
            refreshCount = token?.refreshCount ?? 0
            lastRefreshAt = token?.lastRefreshAt
            expiresAt = token?.expiresAt
        }
        // A forgotten login or a new one (its count starts again at 0) is no refresh.
        guard let token, token.refreshCount >= refreshCount else {
            unreported = nil
            return nil
        }
        if token.refreshCount > refreshCount {
            unreported = .ok
        } else if token.unusableReason != nil, let attempt = token.lastRefreshAt,
            attempt > (lastRefreshAt ?? .distantPast)
        {
            unreported = .failed
        } else {
            unreported = nil
        }
        return unreported
    }

    /// The refresh a `.refreshed` event reports, unless the last `tokenChanged` counted it.
    mutating func refreshed(_ outcome: Swift.Result<RefreshReport, OAuthError>) -> Result? {
        defer { unreported = nil }
        switch outcome {
        case .success(let report):
            // The report's expiry is the one the refreshed login was stored with.
            if unreported == .ok, report.expiresAt == expiresAt { return nil }
            return .ok
        case .failure:
            if unreported == .failed { return nil }
            return .failed
        }
    }
}
