import Foundation
import Support

/// The bearer token every request to `mcptop serve` must carry: made once (32 random bytes),
/// kept in the state folder (0600, folder 0700) and shown only on request
/// (`serve --print-token`, `--print-config`). It guards the loopback listener from other local
/// users and from web pages; the upstream OAuth tokens never leave mcptop.
public enum LocalToken {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What every token mcptop makes starts with.
    public static let prefix = "mcptop_"

    /// The token stored at `path`, made and stored first when there is none.
    public static func load(path: String) throws(Failure) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure(description: "cannot create \(folder): \(error.localizedDescription)")
        }
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self).trimmed()
            guard text.count >= 32, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw Failure(description: "\(path) does not hold a token mcptop made; remove it to make a new one")
            }
            return text
        }
        var generator = SystemRandomNumberGenerator()
        // A prefix of its own, as GitHub's `ghp_`: secret scanners can tell it, and the token
        // never starts with "-", which command lines would take for an option.
        let token =
            prefix + Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
        let temporary = path + ".tmp-\(getpid())"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw Failure(description: "cannot write \(temporary)") }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot store the token at \(path): \(String(cString: strerror(errno)))")
        }
        return token
    }

    /// Compares in time independent of where the strings first differ.
    public static func matches(_ presented: String, _ expected: String) -> Bool {
        let a = Array(presented.utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
