// libFuzzer target `metadata`: protected resource metadata (RFC 9728) and authorization server
// metadata (RFC 8414, OpenID), decoded and checked as discovery does. The first byte chooses
// which (even: the resource's, odd: the authorization server's); the rest is the JSON body.
// No crash; an accepted endpoint is https or loopback http; a resource that covers the MCP
// endpoint is on its origin.
import Foundation
import Support

@testable import OAuth

let mcpURL = "https://mcp.example.com/tenant/mcp"
let discovery = Discovery(server: "fuzz")

func acceptable(_ url: String) -> Bool {
    guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
        return false
    }
    return scheme == "https" || (scheme == "http" && Loopback.isHost(components.host?.lowercased() ?? ""))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetadata(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let json = OAuthHTTP.decode(body: body, contentType: "application/json")
    if data[0] & 1 == 0 {
        guard let json, let metadata = ProtectedResourceMetadata(json: json) else { return 0 }
        let canonical = Discovery.canonical(metadata.resource)
        let sameOrigin = canonical == "https://mcp.example.com" || canonical.hasPrefix("https://mcp.example.com/")
        if Discovery.resource(metadata.resource, covers: mcpURL), !sameOrigin {
            fatalError("a resource on another origin covers the MCP endpoint")
        }
        for server in metadata.authorizationServers {
            if (try? EndpointPolicy.check(server, role: "authorization server", server: "fuzz")) != nil,
                !acceptable(server)
            {
                fatalError("an insecure authorization server accepted")
            }
            _ = URLComponents(string: server).flatMap(Discovery.origin(of:))
        }
        return 0
    }
    guard let json, let metadata = AuthorizationServerMetadata(json: json) else { return 0 }
    _ = Discovery.sameIssuer(metadata.issuer, "https://login.example.com/tenant")
    do {
        try discovery.validate(metadata)
    } catch {
        if error.description.isEmpty { fatalError("an unexplained refusal") }
        return 0
    }
    let endpoints =
        [metadata.authorizationEndpoint, metadata.tokenEndpoint]
        + [metadata.registrationEndpoint, metadata.revocationEndpoint, metadata.introspectionEndpoint].compactMap { $0 }
    for endpoint in endpoints where !acceptable(endpoint) {
        fatalError("an insecure endpoint accepted")
    }
    _ = LoginFlow(
        serverName: "fuzz", serverURL: mcpURL, settings: OAuthSettings(), store: TokenStore(directory: "/nonexistent")
    )
    .authorizationParameters(endpoint: metadata.authorizationEndpoint)
    _ = TokenEndpoint.authMethod(supported: metadata.tokenEndpointAuthMethods)
    return 0
}
