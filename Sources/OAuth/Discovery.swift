import Foundation
import HTTP
import Support

/// What discovery learnt: which authorization server protects the MCP server, and the
/// resource identifier to ask tokens for (RFC 8707).
public struct DiscoveredAuthorization: Sendable, Equatable {
    public var resource: String
    public var resourceMetadata: ProtectedResourceMetadata?
    public var authorizationServer: AuthorizationServerMetadata
    /// True when the server published no metadata and the 2025-03-26 default endpoints are used.
    public var usesDefaultEndpoints: Bool
}

/// Authorization discovery (MCP authorization-server-discovery.mdx): protected resource
/// metadata from the 401's `resource_metadata`, else the path-aware well-known URL, else the
/// root one (RFC 9728 §3); then authorization server metadata by RFC 8414 path insertion, OpenID
/// path insertion and OpenID path appending, with the issuer checked (RFC 8414 §3.3).
public struct Discovery: Sendable {
    let server: String
    let http: OAuthHTTP
    /// `oauth.assumePkceS256`: the server does PKCE with S256 although its metadata does not say.
    let assumePkceS256: Bool

    public init(
        server: String, http: HTTPClient = .shared, assumePkceS256: Bool = false,
        onStep: @escaping AuthStepHandler = { _ in }
    ) {
        self.server = server
        self.http = OAuthHTTP(server: server, http: http, onStep: onStep)
        self.assumePkceS256 = assumePkceS256
    }

    public func discover(mcpURL: String, challenge: AuthChallenge? = nil) async throws(OAuthError)
        -> DiscoveredAuthorization
    {
        guard let endpoint = URLComponents(string: mcpURL), let origin = Self.origin(of: endpoint) else {
            throw OAuthError(server: server, .discovery("\(mcpURL) is not a valid URL"))
        }
        let resourceMetadata = try await protectedResourceMetadata(
            mcpURL: mcpURL, endpoint: endpoint, origin: origin, challenge: challenge)
        if let resourceMetadata {
            guard let issuer = resourceMetadata.authorizationServers.first else {
                throw OAuthError(
                    server: server, .discovery("the protected resource metadata names no authorization server"))
            }
            try EndpointPolicy.check(issuer, role: "authorization server", server: server)
            guard let metadata = try await authorizationServerMetadata(issuer: issuer) else {
                throw OAuthError(
                    server: server, .discovery("no authorization server metadata found for \(displayURL(issuer))"))
            }
            try validate(metadata)
            return DiscoveredAuthorization(
                resource: resourceMetadata.resource, resourceMetadata: resourceMetadata,
                authorizationServer: metadata, usesDefaultEndpoints: false)
        }
        // 2025-03-26 servers without resource metadata: the server's origin is the
        // authorization server, found by RFC 8414 or by its default endpoints.
        try EndpointPolicy.check(origin, role: "authorization server", server: server)
        if let metadata = try await authorizationServerMetadata(issuer: origin) {
            try validate(metadata)
            return DiscoveredAuthorization(
                resource: Self.canonical(mcpURL), resourceMetadata: nil, authorizationServer: metadata,
                usesDefaultEndpoints: false)
        }
        let defaults = AuthorizationServerMetadata(
            issuer: origin, authorizationEndpoint: origin + "/authorize", tokenEndpoint: origin + "/token",
            registrationEndpoint: origin + "/register")
        return DiscoveredAuthorization(
            resource: Self.canonical(mcpURL), resourceMetadata: nil, authorizationServer: defaults,
            usesDefaultEndpoints: true)
    }

    /// The authorization servers the MCP server's protected resource metadata names now; nil
    /// when it publishes none (then its origin is its authorization server).
    public func authorizationServers(mcpURL: String, challenge: AuthChallenge?) async throws(OAuthError)
        -> [String]?
    {
        guard let endpoint = URLComponents(string: mcpURL), let origin = Self.origin(of: endpoint) else {
            throw OAuthError(server: server, .discovery("\(mcpURL) is not a valid URL"))
        }
        return try await protectedResourceMetadata(
            mcpURL: mcpURL, endpoint: endpoint, origin: origin, challenge: challenge)?
            .authorizationServers
    }

    /// Issuers are compared as identifiers, except that metadata differing only by a trailing
    /// slash names the same server.
    public static func sameIssuer(_ a: String, _ b: String) -> Bool {
        func trimmed(_ issuer: String) -> Substring {
            issuer.hasSuffix("/") ? issuer.dropLast() : Substring(issuer)
        }
        return trimmed(a) == trimmed(b)
    }

    private func protectedResourceMetadata(
        mcpURL: String, endpoint: URLComponents, origin: String, challenge: AuthChallenge?
    ) async throws(OAuthError) -> ProtectedResourceMetadata? {
        var candidates: [String] = []
        if let fromHeader = challenge?.resourceMetadata {
            try EndpointPolicy.check(fromHeader, role: "resource metadata URL", server: server)
            candidates.append(fromHeader)
        } else {
            let path = endpoint.path
            if !path.isEmpty && path != "/" {
                candidates.append(origin + "/.well-known/oauth-protected-resource" + path)
            }
            candidates.append(origin + "/.well-known/oauth-protected-resource")
        }
        var redirected: String?
        for url in candidates {
            let reply = try await http.get(url, what: "protected resource metadata")
            if reply.status >= 500 {
                throw OAuthError(server: server, .transient("\(displayURL(url)) answered \(reply.status)"))
            }
            if let redirect = reply.redirect { redirected = "\(displayURL(url)) answered \(redirect)" }
            guard reply.status == 200 else { continue }
            guard let json = reply.json, let metadata = ProtectedResourceMetadata(json: json) else {
                throw OAuthError(
                    server: server, .discovery("\(displayURL(url)) is not protected resource metadata"))
            }
            // RFC 9728 §3.3: the metadata must be for this resource.
            guard Self.resource(metadata.resource, covers: mcpURL) else {
                throw OAuthError(
                    server: server,
                    .discovery("the resource metadata is for \(metadata.resource), not for \(mcpURL)"))
            }
            return metadata
        }
        // Guessing the 2025-03-26 default endpoints after a redirect would only end in a
        // puzzling refusal; the redirect is the answer.
        if let redirected { throw OAuthError(server: server, .discovery(redirected)) }
        return nil
    }

    /// Tries the well-known locations in the order the MCP specification gives; nil when none
    /// has metadata (a redirect at one of them, not followed, is named instead).
    private func authorizationServerMetadata(issuer: String) async throws(OAuthError) -> AuthorizationServerMetadata? {
        guard let components = URLComponents(string: issuer), let origin = Self.origin(of: components) else {
            throw OAuthError(server: server, .discovery("the issuer \(displayURL(issuer)) is not a valid URL"))
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        let candidates =
            path.isEmpty
            ? [origin + "/.well-known/oauth-authorization-server", origin + "/.well-known/openid-configuration"]
            : [
                origin + "/.well-known/oauth-authorization-server" + path,
                origin + "/.well-known/openid-configuration" + path,
                origin + path + "/.well-known/openid-configuration",
                // Okta custom authorization servers and Keycloak realms publish RFC 8414
                // metadata appended to the issuer, not at the path-insertion location.
                origin + path + "/.well-known/oauth-authorization-server",
            ]
        var redirected: String?
        for url in candidates {
            let reply = try await http.get(url, what: "authorization server metadata")
            if reply.status >= 500 {
                throw OAuthError(server: server, .transient("\(displayURL(url)) answered \(reply.status)"))
            }
            if let redirect = reply.redirect { redirected = "\(displayURL(url)) answered \(redirect)" }
            guard reply.status == 200, let json = reply.json else { continue }
            guard let metadata = AuthorizationServerMetadata(json: json) else {
                throw OAuthError(
                    server: server, .discovery("\(displayURL(url)) is not authorization server metadata"))
            }
            // RFC 8414 §3.3: the issuer must be the one the metadata was looked up for.
            guard Self.sameIssuer(metadata.issuer, issuer) else {
                throw OAuthError(
                    server: server,
                    .discovery(
                        "the metadata at \(displayURL(url)) names the issuer \(displayURL(metadata.issuer)), expected \(displayURL(issuer))"
                    ))
            }
            return metadata
        }
        if let redirected { throw OAuthError(server: server, .discovery(redirected)) }
        return nil
    }

    /// Endpoints mcptop may send secrets to, and PKCE with S256.
    func validate(_ metadata: AuthorizationServerMetadata) throws(OAuthError) {
        try EndpointPolicy.check(metadata.authorizationEndpoint, role: "authorization endpoint", server: server)
        try EndpointPolicy.check(metadata.tokenEndpoint, role: "token endpoint", server: server)
        if let registration = metadata.registrationEndpoint {
            try EndpointPolicy.check(registration, role: "registration endpoint", server: server)
        }
        if let revocation = metadata.revocationEndpoint {
            try EndpointPolicy.check(revocation, role: "revocation endpoint", server: server)
        }
        if let introspection = metadata.introspectionEndpoint {
            try EndpointPolicy.check(introspection, role: "introspection endpoint", server: server)
        }
        // MCP authorization: without S256 in the metadata the server offers no PKCE; refuse,
        // except for Entra ID, which does S256 but leaves it out of its OIDC metadata, and where
        // the user vouches for the server.
        if metadata.codeChallengeMethods.contains("S256") { return }
        if let host = URLComponents(string: metadata.issuer)?.host?.lowercased(), Self.isEntraHost(host) {
            http.onStep(
                AuthStep(action: "PKCE", outcome: "S256 assumed: \(host) is Entra ID, which omits it from its metadata")
            )
            return
        }
        if assumePkceS256 {
            http.onStep(AuthStep(action: "PKCE", outcome: "S256 assumed (oauth.assumePkceS256 in the config)"))
            return
        }
        throw OAuthError(
            server: server,
            .discovery(
                "the authorization server \(metadata.issuer) does not offer PKCE with S256 "
                    + "(code_challenge_methods_supported); if it does S256 anyway, set "
                    + "\"oauth\": {\"assumePkceS256\": true} for this server"))
    }

    /// Microsoft Entra ID's sign-in hosts (public, government and China clouds, B2C, External ID).
    static func isEntraHost(_ host: String) -> Bool {
        let hosts = [
            "login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn",
            "login.chinacloudapi.cn",
        ]
        return hosts.contains(host) || host.hasSuffix(".b2clogin.com") || host.hasSuffix(".ciamlogin.com")
    }

    static func origin(of components: URLComponents) -> String? {
        guard let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// RFC 8707 §2 canonical URI: lower-case scheme and host, no fragment, no trailing slash.
    public static func canonical(_ url: String) -> String {
        guard var components = URLComponents(string: url), let origin = origin(of: components) else { return url }
        components.fragment = nil
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        let query = components.percentEncodedQuery.map { "?\($0)" } ?? ""
        return origin + path + query
    }

    /// The metadata's resource identifies this MCP endpoint or a prefix of it on the same origin.
    /// A resource without an origin (no scheme or host, such as "https:") covers nothing: as
    /// text it would be a prefix of every URL of its scheme.
    static func resource(_ resource: String, covers mcpURL: String) -> Bool {
        guard let components = URLComponents(string: resource), origin(of: components) != nil else { return false }
        let claimed = canonical(resource)
        let actual = canonical(mcpURL)
        return actual == claimed || actual.hasPrefix(claimed + "/")
    }
}
