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

    /// The token stored at `path`, made and stored first when there is none. Two processes
    /// starting at once (a `serve` and a `serve --print-config`, two `serve`s) get the same
    /// one: a new token is published with link(2), which fails when the file exists, and the
    /// one that lost reads the winner's.
    public static func load(path: String) throws(Failure) -> String {
        try load(path: path, beforePublishing: {})
    }

    /// `load`, with a step between making a new token and publishing it (tests stand in the
    /// other process there).
    static func load(path: String, beforePublishing: () -> Void) throws(Failure) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure(description: "cannot create \(folder): \(error.localizedDescription)")
        }
        if let stored = try stored(at: path) { return stored }
        var generator = SystemRandomNumberGenerator()
        // A prefix of its own, as GitHub's `ghp_`: secret scanners can tell it, and the token
        // never starts with "-", which command lines would take for an option.
        let token =
            prefix + Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: .min ... .max, using: &generator))"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw Failure(description: "cannot write \(temporary)") }
        defer { unlink(temporary) }
        beforePublishing()
        if link(temporary, path) == 0 { return token }
        let reason = errno
        if reason == EEXIST, let stored = try stored(at: path) { return stored }
        throw Failure(description: "cannot store the token at \(path): \(String(cString: strerror(reason)))")
    }

    /// The token in the file at `path`, nil when there is no file.
    private static func stored(at path: String) throws(Failure) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmed()
        guard text.count >= 32, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw Failure(description: "\(path) does not hold a token mcptop made; remove it to make a new one")
        }
        return text
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
