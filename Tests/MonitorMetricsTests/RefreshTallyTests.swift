import Foundation
import Monitor
import Testing

@testable import MonitorMetrics
@testable import OAuth

@Suite struct RefreshTallyTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func report(expiresAt: Date?) -> RefreshReport {
        RefreshReport(rotated: true, expiresInPresent: expiresAt != nil, scopesChanged: false, expiresAt: expiresAt)
    }

    @Test func aManualRefreshReportedAsTokenChangeAndRefreshedCountsOnce() {
        var tally = RefreshTally(token: token(expiresAt: now, refreshCount: 0))
        let expiry = now.addingTimeInterval(3600)
        #expect(tally.tokenChanged(token(expiresAt: expiry, refreshCount: 1, lastRefreshAt: now)) == .ok)
        #expect(tally.refreshed(.success(report(expiresAt: expiry))) == nil)
        // A later report of its own (no token change before it) counts.
        #expect(tally.refreshed(.success(report(expiresAt: expiry))) == .ok)
    }

    @Test func scheduledRefreshesCountFromTheTokenAlone() {
        var tally = RefreshTally(token: token(expiresAt: now, refreshCount: 0))
        #expect(tally.tokenChanged(token(expiresAt: now.addingTimeInterval(60), refreshCount: 1)) == .ok)
        #expect(tally.tokenChanged(token(expiresAt: now.addingTimeInterval(120), refreshCount: 2)) == .ok)
        // A report for a different refresh than the one just counted is its own.
        #expect(tally.refreshed(.success(report(expiresAt: now.addingTimeInterval(999)))) == .ok)
    }

    @Test func refreshesAlreadyStoredAreNotCounted() {
        var tally = RefreshTally(token: token(expiresAt: now, refreshCount: 7, lastRefreshAt: now))
        #expect(tally.tokenChanged(token(expiresAt: now, refreshCount: 7, lastRefreshAt: now)) == nil)
        #expect(tally.tokenChanged(token(expiresAt: now, refreshCount: 8, lastRefreshAt: now)) == .ok)
    }

    @Test func aNewOrForgottenLoginIsNoRefresh() {
        var tally = RefreshTally(token: token(expiresAt: now, refreshCount: 3))
        #expect(tally.tokenChanged(token(expiresAt: now, refreshCount: 0)) == nil)
        #expect(tally.tokenChanged(nil) == nil)
        #expect(tally.tokenChanged(token(expiresAt: now, refreshCount: 0)) == nil)
        #expect(tally.tokenChanged(token(expiresAt: now, refreshCount: 1)) == .ok)
    }

    @Test func aRefusedRefreshReportedTwiceCountsOnce() {
        var tally = RefreshTally(token: token(expiresAt: now, refreshCount: 2, lastRefreshAt: now))
        let refused = token(
            expiresAt: now, refreshCount: 2, lastRefreshAt: now.addingTimeInterval(10), unusable: "invalid_grant")
        #expect(tally.tokenChanged(refused) == .failed)
        let error = OAuthError(server: "demo", .needsLogin(reason: "invalid_grant"))
        #expect(tally.refreshed(.failure(error)) == nil)
        // The same unusable login seen again is no new attempt.
        #expect(tally.tokenChanged(refused) == nil)
        // A failure with no token change (transient, the token still valid) counts on its own.
        #expect(tally.refreshed(.failure(OAuthError(server: "demo", .transient("503")))) == .failed)
    }
}
