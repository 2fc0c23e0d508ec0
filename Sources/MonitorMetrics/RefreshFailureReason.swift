import Foundation
import OAuth

/// Why a request to the token endpoint for a refresh failed, as the `reason` label of
/// `mcptop_refresh_failures_total`: a fixed set, whatever the server sent.
enum RefreshFailureReason: String, CaseIterable, Sendable {
    /// The refresh token is dead (expired, revoked, reused): a browser login is needed.
    case invalidGrant = "invalid_grant"
    /// The server no longer knows the client (`invalid_client`, `unauthorized_client`).
    case invalidClient = "invalid_client"
    /// The server said to come back later (RFC 6749 `temporarily_unavailable`).
    case temporarilyUnavailable = "temporarily_unavailable"
    /// A 5xx answer (or `server_error`).
    case serverError = "server_error"
    /// No answer: connection refused or reset, DNS, TLS, timeout.
    case network
    /// Any other refusal (another 4xx, 429).
    case other

    /// The reason a refresh request failed; nil for one that was answered 200 or cancelled
    /// and for requests that were no refresh.
    init?(_ exchange: AuthStep.Exchange) {
        guard exchange.purpose == "refresh", !exchange.cancelled else { return nil }
        guard let status = exchange.status else {
            self = .network
            return
        }
        switch exchange.error {
        case "invalid_grant": self = .invalidGrant
        case "invalid_client", "unauthorized_client": self = .invalidClient
        case "temporarily_unavailable": self = .temporarilyUnavailable
        case "server_error": self = .serverError
        default:
            if status == 200 { return nil }
            self = status >= 500 ? .serverError : .other
        }
    }
}

/// The `issuer` label: the authorization server's host, with the port when it has one; never
/// a path, query or user information. "unknown" when the issuer is no URL.
func issuerLabel(_ issuer: String) -> String {
    AuthStep.Exchange.host(of: issuer) ?? "unknown"
}
