/// `--metrics HOST:PORT`: `127.0.0.1:9464`, `localhost:0`, `[::1]:9464`, `0.0.0.0:9464`.
struct MetricsAddress: Equatable {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" "), host.contains(":") == text[..<colon].hasPrefix("["),
            let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        self.host = host
        self.port = port
    }

    /// The host as a URL writes it: IPv6 addresses in brackets.
    var urlHost: String { host.contains(":") ? "[\(host)]" : host }
}
