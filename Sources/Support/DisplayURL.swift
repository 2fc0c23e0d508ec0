/// The URL as shown to users: a password in it is masked (`bob:***@host`), the query and
/// fragment are dropped (they may carry keys).
public func displayURL(_ url: String) -> String {
    var shown = Substring(url)
    if let scheme = shown.range(of: "://") {
        let authority = shown[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
            shown = shown[..<shown.index(after: colon)] + "***" + shown[at...]
        }
    }
    guard let cut = shown.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return String(shown) }
    return String(shown[..<cut])
}
