import Foundation

/// application/x-www-form-urlencoded, for token requests and redirect queries.
public enum FormEncoding {
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Parses `a=1&b=x+y` into pairs, decoding `+` as a space and percent escapes.
    public static func decode(_ query: String) -> [(String, String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (unescape(pieces[0]), pieces.count > 1 ? unescape(pieces[1]) : "")
        }
    }

    /// Appends query parameters to a URL that may already have some.
    public static func url(_ base: String, adding pairs: [(String, String)]) -> String {
        let separator = base.contains("?") ? "&" : "?"
        return base + separator + encode(pairs)
    }
}
