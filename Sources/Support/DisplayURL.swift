/// The URL as shown to users: the query and fragment are dropped (they may carry keys).
public func displayURL(_ url: String) -> String {
    guard let cut = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url }
    return String(url[..<cut])
}
