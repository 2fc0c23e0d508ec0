import Foundation
import MCPClient

/// A successful token endpoint response (RFC 6749 §5.1).
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Double?
    public var refreshToken: String?
    public var scope: String?
    /// Some servers reveal the refresh token's lifetime (`refresh_token_expires_in`).
    public var refreshTokenExpiresIn: Double?

    public init?(json: JSONValue) {
        guard let token = json["access_token"]?.stringValue, !token.isEmpty else { return nil }
        accessToken = token
        tokenType = json["token_type"]?.stringValue ?? "Bearer"
        expiresIn = json["expires_in"]?.doubleValue ?? json["expires_in"]?.stringValue.flatMap(Double.init)
        refreshToken = json["refresh_token"]?.stringValue
        scope = json["scope"]?.stringValue
        refreshTokenExpiresIn = json["refresh_token_expires_in"]?.doubleValue
    }

    /// From `expires_in`, else a JWT's `exp`, else unknown.
    func expiresAt(now: Date) -> Date? {
        if let expiresIn { return now.addingTimeInterval(expiresIn) }
        return JWT.expiry(of: accessToken)
    }
}

/// Reads a JWT's `exp` claim for display and scheduling only; the signature is not checked
/// and nothing else is trusted.
public enum JWT {
    public static func expiry(of token: String) -> Date? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var payload = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        guard let data = Data(base64Encoded: payload), let claims = try? JSONValue.parse(Array(data)),
            let exp = claims["exp"]?.doubleValue
        else { return nil }
        return Date(timeIntervalSince1970: exp)
    }
}
