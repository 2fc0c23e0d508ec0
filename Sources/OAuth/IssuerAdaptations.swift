import Foundation
import Support

/// What logins learnt about one authorization server's refusals, kept per issuer beside the
/// token store so that the next login (and every refresh) goes straight through. Holds no
/// secret.
public struct IssuerAdaptations: Codable, Sendable, Equatable {
    /// One change made after a known refusal.
    public enum Change: String, Codable, Sendable, CaseIterable {
        /// RFC 8707 `resource` is refused (Entra ID: AADSTS9010010 `invalid_target` when it
        /// comes with `scope`): never send it.
        case omitResource
        /// `offline_access` is refused as a scope (`invalid_scope`, Google).
        case omitOfflineAccess
        /// No refresh token although offline access was asked, from a server that refuses
        /// `offline_access` as a scope: Google's shape, which issues one only with
        /// `access_type=offline` (and again on re-consent only with `prompt=consent`,
        /// https://developers.google.com/identity/protocols/oauth2/native-app): ask with those.
        case askAccessTypeOffline

        /// The timeline's words for it, with the refusal that taught it.
        func reason(refusal: String) -> String {
            switch self {
            case .omitResource: return "retried without `resource`: the server refused it with \(refusal)"
            case .omitOfflineAccess: return "retried without `offline_access`: the server refused it with \(refusal)"
            case .askAccessTypeOffline:
                return "retried with access_type=offline&prompt=consent: the server refuses `offline_access` as a "
                    + "scope, as Google does, and issued \(refusal)"
            }
        }
    }

    public var issuer: String
    /// Each change with the reason it was made.
    public var changes: [Change: String] = [:]

    public init(issuer: String) {
        self.issuer = issuer
    }

    public func has(_ change: Change) -> Bool { changes[change] != nil }

    /// The change a refusal calls for, if it is a known one not yet adapted to: `error` and
    /// `description` as the server sent them; `sentResource` and `scopes` as the request had them.
    func change(forError error: String, description: String?, sentResource: Bool, scopes: [String]) -> Change? {
        if error == "invalid_target", sentResource, !has(.omitResource) { return .omitResource }
        if error == "invalid_scope", scopes.contains("offline_access"), !has(.omitOfflineAccess),
            description.map({ $0.contains("offline_access") }) ?? true
        {
            return .omitOfflineAccess
        }
        return nil
    }

    /// The refusal's name for the timeline: Entra's AADSTS code when the description starts
    /// with one, else the OAuth error code.
    static func refusalName(error: String, description: String?) -> String {
        if let first = description?.split(whereSeparator: { $0 == ":" || $0.isWhitespace }).first,
            first.hasPrefix("AADSTS"), first.dropFirst(6).allSatisfy(\.isNumber), first.count > 6
        {
            return String(first)
        }
        return ServerText.oneLine(error, limit: 60)
    }
}
