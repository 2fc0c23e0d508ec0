import Prometheus

/// Every metric family `watch` exports (`--metrics` for Prometheus, and over OTLP), with its type
/// and help text: the one list the recorder makes its series from, in either store, and that
/// the README and the shipped Grafana dashboard are checked against.
///
/// Names follow Prometheus practice: the `mcptop_` prefix, base units (`_seconds`), `_total`
/// on counters. Labels: `server` (the configured name), `issuer` (the authorization server's
/// host and port, never a path, query or credentials), and one of `state`, `outcome`,
/// `result`, `reason`, `client`, `via` where the family says. Hosts are told apart by the
/// scrape's own `instance` label.
public enum MetricFamily: String, CaseIterable, Sendable {
    case connectionState = "mcptop_connection_state"
    case tokenSecondsRemaining = "mcptop_token_seconds_remaining"
    case refreshes = "mcptop_refreshes_total"
    case toolCalls = "mcptop_tool_calls_total"
    case toolCallDuration = "mcptop_tool_call_duration_seconds"
    case needsLogin = "mcptop_needs_login"
    case refreshTokenPresent = "mcptop_refresh_token_present"
    case refreshTokenSecondsRemaining = "mcptop_refresh_token_seconds_remaining"
    case loginSecondsRemaining = "mcptop_login_seconds_remaining"
    case refreshFailures = "mcptop_refresh_failures_total"
    case refreshTokenRotations = "mcptop_refresh_token_rotations_total"
    case expiredTokensPresented = "mcptop_expired_tokens_presented_total"
    case sessionRenewals = "mcptop_session_renewals_total"
    case bridgedCalls = "mcptop_bridged_calls_total"
    case bridgedCallDuration = "mcptop_bridged_call_duration_seconds"

    public enum Kind: String, Sendable {
        case gauge, counter, histogram
    }

    public var name: String { rawValue }

    public var kind: Kind {
        switch self {
        case .connectionState, .tokenSecondsRemaining, .needsLogin, .refreshTokenPresent,
            .refreshTokenSecondsRemaining, .loginSecondsRemaining:
            return .gauge
        case .refreshes, .toolCalls, .refreshFailures, .refreshTokenRotations, .expiredTokensPresented,
            .sessionRenewals, .bridgedCalls:
            return .counter
        case .toolCallDuration, .bridgedCallDuration:
            return .histogram
        }
    }

    /// The labels of every series of the family, in the order they are exposed.
    public var labels: [String] {
        switch self {
        case .connectionState: return ["server", "state"]
        case .tokenSecondsRemaining, .needsLogin, .sessionRenewals, .toolCallDuration: return ["server"]
        case .refreshes: return ["server", "result"]
        case .toolCalls: return ["server", "outcome"]
        case .refreshTokenPresent, .refreshTokenSecondsRemaining, .loginSecondsRemaining, .refreshTokenRotations,
            .expiredTokensPresented:
            return ["server", "issuer"]
        case .refreshFailures: return ["server", "issuer", "reason"]
        case .bridgedCalls, .bridgedCallDuration: return ["server", "client", "via"]
        }
    }

    public var help: String {
        switch self {
        case .connectionState:
            return "1 for the connection's current state, 0 for the others."
        case .tokenSecondsRemaining:
            return "Seconds until the access token expires (0 once expired; absent while the expiry is unknown)."
        case .refreshes:
            return "Token refreshes by result."
        case .toolCalls:
            return "Finished tool calls by outcome."
        case .toolCallDuration:
            return "Duration of finished tool calls."
        case .needsLogin:
            return "1 while the server cannot be used until someone logs in again (mcptop auth SERVER), else 0."
        case .refreshTokenPresent:
            return "1 when the stored login has a refresh token, 0 when it has none (absent without a login)."
        case .refreshTokenSecondsRemaining:
            return "Seconds until the refresh token expires (0 once expired; absent while unknown)."
        case .loginSecondsRemaining:
            return
                "Seconds until a browser login will be needed, as far as known: the refresh token's expiry, "
                + "or the access token's without a refresh token; 0 when needed now; absent when unknown."
        case .refreshFailures:
            return
                "Failed refresh requests to the token endpoint by reason "
                + "(invalid_grant, invalid_client, temporarily_unavailable, server_error, network, other)."
        case .refreshTokenRotations:
            return "Refreshes that replaced the refresh token (rotation)."
        case .expiredTokensPresented:
            return "401 answers to an access token whose known expiry had passed (refreshes are not keeping up)."
        case .sessionRenewals:
            return "Sessions the server forgot (HTTP 404) and mcptop replaced."
        case .bridgedCalls:
            return "Tool calls other MCP clients made through mcptop proxy or serve, by client and bridge."
        case .bridgedCallDuration:
            return "Duration of tool calls other MCP clients made through mcptop proxy or serve, by client and bridge."
        }
    }

    /// The unit, in UCUM as OpenTelemetry writes it, of the families measured in one.
    public var unit: String? {
        name.hasSuffix("_seconds") || name.hasSuffix("_seconds_remaining") ? "s" : nil
    }

    /// A histogram's bucket bounds: Prometheus's default buckets, plus 30 s and 60 s for slow
    /// tools.
    public var buckets: [Double]? {
        kind == .histogram ? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] : nil
    }

    /// The sample names the family shows in the exposition (a histogram's three).
    public var sampleNames: [String] {
        kind == .histogram ? ["_bucket", "_sum", "_count"].map { name + $0 } : [name]
    }

    var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

extension MetricFamily {
    /// The family's label names paired with `values`, in order.
    func labels(_ values: String...) -> [(String, String)] {
        labels(values)
    }

    func labels(_ values: [String]) -> [(String, String)] {
        precondition(values.count == labels.count, "\(name) has the labels \(labels)")
        return Array(zip(labels, values))
    }
}
