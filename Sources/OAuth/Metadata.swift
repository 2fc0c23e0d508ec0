import Support

/// OAuth 2.0 Protected Resource Metadata (RFC 9728 §2).
public struct ProtectedResourceMetadata: Sendable, Equatable {
    public var resource: String
    public var authorizationServers: [String]
    public var scopesSupported: [String]

    init?(json: JSONValue) {
        guard let resource = json["resource"]?.stringValue else { return nil }
        self.resource = resource
        authorizationServers = json["authorization_servers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        scopesSupported = json["scopes_supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    public init(resource: String, authorizationServers: [String], scopesSupported: [String] = []) {
        self.resource = resource
        self.authorizationServers = authorizationServers
        self.scopesSupported = scopesSupported
    }
}

/// OAuth 2.0 Authorization Server Metadata (RFC 8414 §2), or OpenID Provider Metadata.
public struct AuthorizationServerMetadata: Sendable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var registrationEndpoint: String?
    public var revocationEndpoint: String?
    /// RFC 7662 §4 / RFC 8414 §2 `introspection_endpoint`.
    public var introspectionEndpoint: String?
    /// RFC 8628 §4 `device_authorization_endpoint`.
    public var deviceAuthorizationEndpoint: String?
    public var scopesSupported: [String]
    public var codeChallengeMethods: [String]
    public var tokenEndpointAuthMethods: [String]
    public var clientIDMetadataDocumentSupported: Bool
    /// RFC 9207 §3: the server promises `iss` in authorization responses.
    public var issParameterSupported: Bool

    init?(json: JSONValue) {
        guard let issuer = json["issuer"]?.stringValue,
            let authorization = json["authorization_endpoint"]?.stringValue,
            let token = json["token_endpoint"]?.stringValue
        else { return nil }
        self.issuer = issuer
        authorizationEndpoint = authorization
        tokenEndpoint = token
        registrationEndpoint = json["registration_endpoint"]?.stringValue
        revocationEndpoint = json["revocation_endpoint"]?.stringValue
        introspectionEndpoint = json["introspection_endpoint"]?.stringValue
        deviceAuthorizationEndpoint = json["device_authorization_endpoint"]?.stringValue
        scopesSupported = json["scopes_supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        codeChallengeMethods = json["code_challenge_methods_supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        tokenEndpointAuthMethods =
            json["token_endpoint_auth_methods_supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        clientIDMetadataDocumentSupported = json["client_id_metadata_document_supported"]?.boolValue ?? false
        issParameterSupported = json["authorization_response_iss_parameter_supported"]?.boolValue ?? false
    }

    public init(
        issuer: String, authorizationEndpoint: String, tokenEndpoint: String, registrationEndpoint: String? = nil,
        revocationEndpoint: String? = nil, scopesSupported: [String] = [], codeChallengeMethods: [String] = ["S256"],
        tokenEndpointAuthMethods: [String] = [], clientIDMetadataDocumentSupported: Bool = false,
        issParameterSupported: Bool = false
    ) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.registrationEndpoint = registrationEndpoint
        self.revocationEndpoint = revocationEndpoint
        self.scopesSupported = scopesSupported
        self.codeChallengeMethods = codeChallengeMethods
        self.tokenEndpointAuthMethods = tokenEndpointAuthMethods
        self.clientIDMetadataDocumentSupported = clientIDMetadataDocumentSupported
        self.issParameterSupported = issParameterSupported
    }
}
