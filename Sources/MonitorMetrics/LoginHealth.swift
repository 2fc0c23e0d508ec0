import CoreMetrics
import Foundation
import Monitor

/// One server's login health series: whether it needs a login, its refresh token's presence
/// and lifetime, the time until a browser login, refresh failures by reason, rotations, expired
/// tokens presented, session renewals and calls made through bridges.
///
/// Counters labelled with an issuer are made, at 0, as soon as the issuer is known, so the
/// first failure is an increase `rate()` and `increase()` can see; they stay when the login
/// moves to another issuer (a counter never goes back). The gauges follow the current login.
struct LoginHealth {
    /// The counters of one issuer.
    struct IssuerCounters {
        let failures: [RefreshFailureReason: any CounterHandler]
        let rotations: any CounterHandler
        let expiredPresented: any CounterHandler
    }

    /// The gauges of the current login, re-made when it changes.
    private struct LoginGauges {
        var refreshTokenPresent: any RecorderHandler
        var refreshTokenRemaining: (any RecorderHandler)?
        var loginRemaining: (any RecorderHandler)?
    }

    private let server: String
    private let needsLogin: any RecorderHandler
    private let sessionRenewals: any CounterHandler
    private var phaseNeedsLogin = false
    private var token: TokenSummary?
    private var issuer: String?
    private var counters: [String: IssuerCounters] = [:]
    private var gauges: LoginGauges?
    private var bridged: [CallRecord.Bridge: (calls: any CounterHandler, duration: any RecorderHandler)] = [:]

    init(server: String, series: any SeriesStore) {
        self.server = server
        needsLogin = series.gauge(.needsLogin, [server])
        sessionRenewals = series.counter(.sessionRenewals, [server])
    }

    /// When a browser login will be needed, as far as the stored login tells: the refresh
    /// token's expiry (when the server or the config gave one), the access token's when there
    /// is no refresh token, `distantPast` for a login already unusable, nil when unknown.
    static func loginDeadline(_ token: TokenSummary?) -> Date? {
        guard let token else { return nil }
        if token.unusableReason != nil { return .distantPast }
        return token.hasRefreshToken ? token.refreshTokenExpiresAt : token.expiresAt
    }

    mutating func phase(_ phase: ConnectionState.Phase) {
        phaseNeedsLogin = phase == .needsLogin
        needsLogin.record(phaseNeedsLogin || token?.unusableReason != nil ? 1.0 : 0.0)
    }

    /// The stored login changed (or is first known); a refresh that replaced the refresh
    /// token counts as a rotation.
    mutating func login(_ token: TokenSummary?, now: Date, series: any SeriesStore) {
        let previous = self.token
        self.token = token
        needsLogin.record(phaseNeedsLogin || token?.unusableReason != nil ? 1.0 : 0.0)
        let issuer = token.map { issuerLabel($0.issuer) }
        if let gauges { Self.unregister(gauges, series: series) }
        gauges = nil
        self.issuer = issuer
        guard let token, let issuer else { return }
        let issuerCounters = counters(of: issuer, series: series)
        if let previous, token.refreshCount > previous.refreshCount, token.hasRefreshToken,
            token.refreshTokenObtainedAt != previous.refreshTokenObtainedAt
                || token.refreshTokenFingerprint != previous.refreshTokenFingerprint
        {
            issuerCounters.rotations.increment(by: 1)
        }
        func gauge(_ family: MetricFamily) -> any RecorderHandler {
            series.gauge(family, [server, issuer])
        }
        let present = gauge(.refreshTokenPresent)
        present.record(token.hasRefreshToken ? 1.0 : 0.0)
        gauges = LoginGauges(
            refreshTokenPresent: present,
            refreshTokenRemaining: token.refreshTokenExpiresAt == nil ? nil : gauge(.refreshTokenSecondsRemaining),
            loginRemaining: Self.loginDeadline(token) == nil ? nil : gauge(.loginSecondsRemaining))
        update(now: now)
    }

    /// Brings the countdowns up to `now` (at each scrape).
    func update(now: Date) {
        guard let gauges, let token else { return }
        if let end = token.refreshTokenExpiresAt {
            gauges.refreshTokenRemaining?.record(max(0, end.timeIntervalSince(now)))
        }
        if let end = Self.loginDeadline(token) { gauges.loginRemaining?.record(max(0, end.timeIntervalSince(now))) }
    }

    /// A request to the token endpoint; counted when it was a refresh that failed.
    mutating func exchange(_ reason: RefreshFailureReason, series: any SeriesStore) {
        counters(of: issuer ?? "unknown", series: series).failures[reason]?.increment(by: 1)
    }

    mutating func expiredTokenPresented(series: any SeriesStore) {
        counters(of: issuer ?? "unknown", series: series).expiredPresented.increment(by: 1)
    }

    func sessionRenewed() {
        sessionRenewals.increment(by: 1)
    }

    /// A call a client made through `proxy` or `serve`, and how long it took when it finished.
    /// Client names come from other programs: at most 64 characters of one go into the label.
    mutating func bridgedCall(_ bridge: CallRecord.Bridge, duration: Double?, series: any SeriesStore) {
        let labels = [server, String(bridge.client.prefix(64)), bridge.via]
        let handlers =
            bridged[bridge]
            ?? (
                series.counter(.bridgedCalls, labels),
                series.histogram(.bridgedCallDuration, labels, buckets: MetricFamily.bridgedCallDuration.buckets ?? [])
            )
        bridged[bridge] = handlers
        handlers.calls.increment(by: 1)
        if let duration { handlers.duration.record(duration) }
    }

    private mutating func counters(of issuer: String, series: any SeriesStore) -> IssuerCounters {
        if let known = counters[issuer] { return known }
        func counter(_ family: MetricFamily, _ values: String...) -> any CounterHandler {
            series.counter(family, [server, issuer] + values)
        }
        var failures: [RefreshFailureReason: any CounterHandler] = [:]
        for reason in RefreshFailureReason.allCases { failures[reason] = counter(.refreshFailures, reason.rawValue) }
        let made = IssuerCounters(
            failures: failures, rotations: counter(.refreshTokenRotations),
            expiredPresented: counter(.expiredTokensPresented))
        counters[issuer] = made
        return made
    }

    private static func unregister(_ gauges: LoginGauges, series: any SeriesStore) {
        series.remove(gauge: gauges.refreshTokenPresent)
        if let gauge = gauges.refreshTokenRemaining { series.remove(gauge: gauge) }
        if let gauge = gauges.loginRemaining { series.remove(gauge: gauge) }
    }
}
