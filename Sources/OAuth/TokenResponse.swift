import Foundation
import Support

/// A successful token endpoint response (RFC 6749 §5.1).
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    /// Seconds; nil when absent or not a number of seconds. At most ten years
    /// (`BoundedSeconds.longestLifetime`): a server may send anything here.
    public var expiresIn: Double?
    public var refreshToken: String?
    public var scope: String?
    /// Some servers reveal the refresh token's lifetime (`refresh_token_expires_in`), bounded
    /// like `expiresIn`.
    public var refreshTokenExpiresIn: Double?
    /// OpenID Connect's ID token, read for the account only (never verified, never shown).
    public var idToken: String?

    public init?(json: JSONValue) {
        guard let token = json["access_token"]?.stringValue, !token.isEmpty else { return nil }
        accessToken = token
        tokenType = json["token_type"]?.stringValue ?? "Bearer"
        expiresIn = BoundedSeconds.lifetime(json: json["expires_in"])
        refreshToken = json["refresh_token"]?.stringValue
        scope = json["scope"]?.stringValue
        refreshTokenExpiresIn = BoundedSeconds.lifetime(json: json["refresh_token_expires_in"])
        idToken = json["id_token"]?.stringValue
    }

    /// Who logged in, from the ID token, else from a JWT access token (``JWT/account(of:)``).
    var account: String? {
        idToken.flatMap { JWT.account(of: $0) } ?? JWT.account(of: accessToken)
    }

    /// From `expires_in`, else a JWT's `exp`, else unknown.
    func expiresAt(now: Date) -> Date? {
        if let expiresIn = BoundedSeconds.lifetime(expiresIn) { return now.addingTimeInterval(expiresIn) }
        return JWT.expiry(of: accessToken, now: now)
    }

    /// When the refresh token ends, if the server said.
    func refreshTokenExpiresAt(now: Date) -> Date? {
        BoundedSeconds.lifetime(refreshTokenExpiresIn).map { now.addingTimeInterval($0) }
    }
}

/// Reads a JWT's `exp` claim for display and scheduling only; the signature is not checked
/// and nothing else is trusted. An `exp` that is not a time (NaN, negative) is ignored, and
/// one further than ten years from `now` is taken as ten years.
public enum JWT {
    public static func expiry(of token: String, now: Date = Date()) -> Date? {
        guard let exp = claims(of: token)?["exp"]?.doubleValue else { return nil }
        return BoundedSeconds.instant(secondsSince1970: exp, now: now)
    }

    /// The account a token names, for display: e-mail, else preferred_username or upn, else
    /// `sub`; with Entra's tenant (`tid`). Nil for an opaque token. Unverified: a label only.
    public static func account(of token: String) -> String? {
        guard let claims = claims(of: token) else { return nil }
        let name = ["email", "preferred_username", "upn"].lazy.compactMap { claims[$0]?.stringValue }.first
        guard let who = name ?? claims["sub"]?.stringValue.map({ "subject \($0)" }), !who.isEmpty else { return nil }
        let tenant = claims["tid"]?.stringValue.map { " (tenant \(ServerText.oneLine($0, limit: 40)))" } ?? ""
        return ServerText.oneLine(who, limit: 80) + tenant
    }

    static func claims(of token: String) -> JSONValue? {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let data = Base64URL.decode(parts[1]), let claims = try? JSONValue.parse(Array(data)),
            claims.objectValue != nil
        else { return nil }
        return claims
    }
}
