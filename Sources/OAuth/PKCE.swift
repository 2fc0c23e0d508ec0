import Crypto
import Foundation
import Support

/// Proof Key for Code Exchange with S256 (RFC 7636), and the other random values of a login.
public struct PKCE: Sendable {
    public let verifier: String
    public let challenge: String
    public let method = "S256"

    public init() {
        self.init(verifier: Self.randomString(byteCount: 48))
    }

    /// RFC 7636 §4.1: 43 to 128 characters; §4.2: challenge = BASE64URL(SHA256(verifier)).
    public init(verifier: String) {
        self.verifier = verifier
        challenge = Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// URL-safe random text from the system's cryptographic generator.
    public static func randomString(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encode(Data(bytes))
    }

    /// A short, stable, non-reversible name for a secret, for file names.
    public static func digest(_ text: String) -> String {
        NumberText.hex(SHA256.hash(data: Data(text.utf8)).prefix(12))
    }
}
