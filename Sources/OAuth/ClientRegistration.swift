import Foundation

/// The client mcptop is to an authorization server, kept per issuer and reused.
public struct ClientRegistration: Codable, Sendable, Equatable {
    public enum Method: String, Codable, Sendable {
        /// From the user's config (`oauth.clientId`).
        case preregistered
        /// An https URL as client_id (Client ID Metadata Document).
        case metadataDocument
        /// RFC 7591 dynamic registration.
        case dynamic
    }

    public var issuer: String
    public var clientID: String
    /// Only for a confidential client from dynamic registration; a pre-registered secret stays
    /// in the config (`${ENV}`) and is never written here.
    public var clientSecret: String?
    public var redirectURI: String
    public var method: Method
    public var registeredAt: Date

    public init(
        issuer: String, clientID: String, clientSecret: String? = nil, redirectURI: String, method: Method,
        registeredAt: Date = Date()
    ) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.method = method
        self.registeredAt = registeredAt
    }
}
