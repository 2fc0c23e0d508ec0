import Foundation
import Support

extension OtherToken {
    /// The server to import for this token: the entry of the holder's own config of the same
    /// name, else any config's entry with the token's URL (mcp-remote's argument included),
    /// else a plain `{"url": …}` entry named after the URL's host. Nil when the token names no URL
    /// and no config knows the server.
    public func importCandidate(reads: [ForeignConfigRead]) -> ForeignServer? {
        let servers = reads.flatMap(\.servers).filter { $0.entry != nil }
        if let client = holder.configClient,
            let own = servers.first(where: { $0.client == client && $0.name == server })
        {
            return own
        }
        guard let url = serverURL else { return nil }
        if let known = servers.first(where: { $0.entry?["url"]?.stringValue == url }) { return known }
        let host = URLComponents(string: url)?.host ?? ""
        let name =
            !server.isEmpty && !server.contains(where: { $0.isWhitespace || $0 == "/" || $0 == ":" })
            ? server : host.split(separator: ".").filter { $0 != "mcp" && $0 != "www" }.first.map(String.init) ?? host
        guard !name.isEmpty else { return nil }
        return ForeignServer(name: name, client: nil, file: file, entry: ["url": .string(url)], target: displayURL(url))
    }
}
