import Foundation
import Support

/// OAuth 2.1 §1.5 / MCP security considerations: every authorization endpoint is https, except
/// on loopback, where a local development server may use plain http.
public enum EndpointPolicy {
    public static func check(_ url: String, role: String, server: String) throws(OAuthError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else {
            throw OAuthError(server: server, .insecureEndpoint("the \(role) \"\(displayURL(url))\" is not a valid URL"))
        }
        if scheme == "https" { return }
        if scheme == "http" && isLoopback(host) { return }
        throw OAuthError(
            server: server,
            .insecureEndpoint(
                "refusing the \(role) \(displayURL(url)): OAuth endpoints must use https (plain http is allowed on loopback only), "
                    + "or tokens and codes would cross the network unencrypted"))
    }

    /// Loopback by address, not by prefix (`Loopback.isHost`).
    public static func isLoopback(_ host: String) -> Bool {
        Loopback.isHost(host)
    }
}
