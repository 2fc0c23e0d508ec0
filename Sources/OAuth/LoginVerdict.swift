import Foundation
import Support

/// How long a login lasts, in words, from what the server said (and the config): whether a
/// refresh token was issued and whether it rotates (known after the first refresh), the
/// access token's lifetime, and when the refresh token ends when that is known. Shown on the
/// auth timeline after a login, in `status` and in the describe view. Holds no secret and no
/// countdown (only absolute dates and lifetimes), so it does not go stale on screen.
public enum LoginVerdict {
    public static func text(
        hasRefreshToken: Bool, rotates: Bool?, obtainedAt: Date?, expiresAt: Date?, refreshTokenExpiresAt: Date?
    ) -> String {
        var parts: [String] = []
        let lifetime = obtainedAt.flatMap { start in expiresAt.map { $0.timeIntervalSince(start) } }
        let access = lifetime.map { TimeText.duration(max(0, $0)) }
        if hasRefreshToken {
            switch rotates {
            case true?: parts.append("refresh token issued, rotating")
            case false?: parts.append("refresh token issued, not rotating")
            case nil: parts.append("refresh token issued (rotation known after the first refresh)")
            }
            parts.append(
                access.map { "access token lasts \($0)" } ?? "access token expiry unknown (refreshed on a 401)")
            if let end = refreshTokenExpiresAt {
                parts.append("this login lasts until about \(TimeText.iso8601(end).prefix(10))")
            } else {
                parts.append("the refresh token's lifetime was not said")
            }
        } else if let access {
            parts.append("no refresh token: you will log in again every \(access)")
        } else {
            parts.append("no refresh token, expiry unknown: you will log in again when the server refuses the token")
        }
        return parts.joined(separator: "; ")
    }
}

extension Credential {
    /// ``LoginVerdict`` for this login.
    public var verdict: String {
        LoginVerdict.text(
            hasRefreshToken: refreshToken != nil, rotates: refreshTokenRotates, obtainedAt: obtainedAt,
            expiresAt: expiresAt, refreshTokenExpiresAt: refreshTokenExpiresAt)
    }
}
