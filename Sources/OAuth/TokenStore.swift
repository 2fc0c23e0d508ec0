import Foundation
import Support

/// Logins and client registrations on disk, under the state folder:
/// `credentials/<digest of server URL>-<digest of issuer>.json` (``credentialKey(serverURL:issuer:)``)
/// and `registrations/<digest of issuer>.json`.
/// Files are 0600 in 0700 folders, written to a temporary file, fsync'd, then renamed, so a
/// crash leaves either the old or the new record, never half of one. No file is read or written
/// through a symbolic link (`O_NOFOLLOW`; a link where a file goes is an error naming it).
/// A credential is written only under its lock (``CredentialLock``), as the next generation.
public struct TokenStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public struct StoreError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var detail: String
        public var description: String { "\(path): \(detail)" }
    }

    // MARK: Credentials

    /// The one key of a login: the server and the issuer that logged it in, so two servers
    /// behind one issuer share nothing, and a login of another authorization server for the
    /// same server is another record. The file name starts with the server's part, so a
    /// server's records are found without knowing the issuer.
    public static func credentialKey(serverURL: String, issuer: String) -> String {
        "\(PKCE.digest(serverURL))-\(PKCE.digest(issuer))"
    }

    public func credentialPath(serverURL: String, issuer: String) -> String {
        "\(directory)/credentials/\(Self.credentialKey(serverURL: serverURL, issuer: issuer)).json"
    }

    /// A file holding a login of the server (the only one, but for a moment after a login at a
    /// new authorization server); where a login of an older mcptop (keyed by the server alone)
    /// is or would be when there is none. The file of a loaded login is
    /// `credentialPath(serverURL:issuer:)` with its issuer.
    public func credentialPath(serverURL: String) -> String {
        keyedCredentialPaths(serverURL: serverURL).last ?? legacyCredentialPath(serverURL: serverURL)
    }

    /// Before logins were keyed by issuer: `credentials/<digest of server URL>.json`.
    func legacyCredentialPath(serverURL: String) -> String {
        "\(directory)/credentials/\(PKCE.digest(serverURL)).json"
    }

    /// The credentials folder as it stands: every login saved, replaced or removed renames a
    /// file into it or out of it, which changes this; before the first login, the state folder,
    /// which the credentials folder is then made in. Nil when it cannot be told: neither
    /// folder can be read, or the one looked at changed too recently for its time to tell a
    /// later change apart (file times tick in steps of a few milliseconds, on some file systems
    /// of seconds), so the store has to be read. `now` is the wall clock, the clock of file times.
    public func credentialsStamp(now: Date = Date()) -> FolderStamp? {
        var info = stat()
        var path = "\(directory)/credentials"
        if stat(path, &info) != 0 {
            guard errno == ENOENT else { return nil }
            path = directory
            guard stat(path, &info) == 0 else { return nil }
        }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        guard now.timeIntervalSince1970 - modified > FolderStamp.settled else { return nil }
        return FolderStamp(
            path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino), seconds: Int64(info.st_mtim.tv_sec),
            nanoseconds: Int64(info.st_mtim.tv_nsec))
    }

    /// What `credentialsStamp` tells: the same stamp, the same logins in the folder.
    public struct FolderStamp: Equatable, Sendable {
        var path: String
        var device: UInt64
        var inode: UInt64
        var seconds: Int64
        var nanoseconds: Int64
        /// How long after its last change a folder's time tells every later change apart.
        static let settled: TimeInterval = 2
    }

    /// The files of the server's logins, one per issuer, sorted by name.
    private func keyedCredentialPaths(serverURL: String) -> [String] {
        let prefix = "\(PKCE.digest(serverURL))-"
        let folder = "\(directory)/credentials"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted().map { "\(folder)/\($0)" }
    }

    /// The server's login: the newest of its records (there is one, except for a moment after
    /// a login at a new authorization server). A record of an older mcptop is moved to its key
    /// on the way, and kept where it was if it cannot be.
    public func loadCredential(serverURL: String) throws(StoreError) -> Credential? {
        var newest: Credential?
        for path in keyedCredentialPaths(serverURL: serverURL) {
            guard let record = try load(Credential.self, at: path) else { continue }
            guard path == credentialPath(serverURL: record.serverURL, issuer: record.issuer),
                record.serverURL == serverURL
            else {
                throw StoreError(
                    path: path, detail: "holds the login of another server or issuer; it was left as it is")
            }
            if newest == nil || (record.obtainedAt ?? .distantPast) > (newest?.obtainedAt ?? .distantPast) {
                newest = record
            }
        }
        if let newest { return newest }
        let legacy = legacyCredentialPath(serverURL: serverURL)
        guard let record = try load(Credential.self, at: legacy) else { return nil }
        guard record.serverURL == serverURL else {
            throw StoreError(path: legacy, detail: "holds the login of another server; it was left as it is")
        }
        if (try? write(record, to: credentialPath(serverURL: serverURL, issuer: record.issuer))) != nil {
            try? remove(legacy)
        }
        return record
    }

    /// Stores a new login (a browser or device login, or one handed to the token manager),
    /// whatever was stored: under the credential's lock, as the next generation, so that a
    /// refresh in another process cannot write the login it started from over it. Waits for a
    /// refresh in progress (at most three 30 s requests) rather than fail a login the user just made.
    /// Returns the record as stored.
    public func saveLogin(_ credential: Credential, timeout: Duration = .seconds(120)) async throws -> Credential {
        try await withLock(serverURL: credential.serverURL, timeout: timeout) { lock in
            guard case .saved(let stored) = try save(credential, under: lock, replacing: nil) else {
                throw StoreError(path: credentialPath(serverURL: credential.serverURL), detail: "was not written")
            }
            return stored
        }
    }

    /// What became of a credential written under its lock.
    public enum SaveOutcome: Sendable, Equatable {
        /// Written, as this record (with its new generation).
        case saved(Credential)
        /// Not written: the stored login is no longer the generation the writer started from (a
        /// login stored since, or deleted by a logout); this is what is stored now.
        case superseded(Credential?)
    }

    /// Writes `credential` under its (server, issuer) key as the next generation, provided the
    /// server's stored login (whatever its issuer) is still generation `expected`. With
    /// `expected` nil (a new login), whatever is stored is replaced, and the server's records of
    /// other issuers (an authorization server it no longer names) and of an older mcptop are
    /// removed. Called with the lock held.
    public func save(_ credential: Credential, under lock: CredentialLock, replacing expected: Int?)
        throws(StoreError) -> SaveOutcome
    {
        let path = credentialPath(serverURL: credential.serverURL, issuer: credential.issuer)
        guard lock.serverURL == credential.serverURL else {
            throw StoreError(path: path, detail: "not written: the lock held is \(lock.serverURL)'s")
        }
        // A damaged file is replaced by a new login; a refresh cannot have started from it.
        let stored: Credential?
        do {
            stored = try loadCredential(serverURL: credential.serverURL)
        } catch {
            guard expected == nil else { throw error }
            stored = nil
        }
        if let expected, stored?.generation != expected { return .superseded(stored) }
        var next = credential
        next.generation = (stored?.generation ?? 0) + 1
        try write(next, to: path)
        if expected == nil {
            for other in keyedCredentialPaths(serverURL: credential.serverURL) where other != path {
                try remove(other)
            }
            try remove(legacyCredentialPath(serverURL: credential.serverURL))
        }
        return .saved(next)
    }

    /// Forgets every login of the server.
    public func deleteCredential(serverURL: String) throws(StoreError) {
        for path in keyedCredentialPaths(serverURL: serverURL) { try remove(path) }
        try remove(legacyCredentialPath(serverURL: serverURL))
    }

    // MARK: Registrations

    public func registrationPath(issuer: String) -> String {
        "\(directory)/registrations/\(PKCE.digest(issuer)).json"
    }

    public func loadRegistration(issuer: String) throws(StoreError) -> ClientRegistration? {
        try load(ClientRegistration.self, at: registrationPath(issuer: issuer))
    }

    public func save(_ registration: ClientRegistration) throws(StoreError) {
        try write(registration, to: registrationPath(issuer: registration.issuer))
    }

    public func deleteRegistration(issuer: String) throws(StoreError) {
        try remove(registrationPath(issuer: issuer))
    }

    // MARK: What worked, per issuer

    public func adaptationsPath(issuer: String) -> String {
        "\(directory)/adaptations/\(PKCE.digest(issuer)).json"
    }

    /// What logins learnt about this issuer's refusals (none when nothing is stored or the
    /// file is unreadable: then the refusal is met and adapted to again).
    public func loadAdaptations(issuer: String) -> IssuerAdaptations {
        (try? load(IssuerAdaptations.self, at: adaptationsPath(issuer: issuer))) ?? nil
            ?? IssuerAdaptations(issuer: issuer)
    }

    public func save(_ adaptations: IssuerAdaptations) throws(StoreError) {
        try write(adaptations, to: adaptationsPath(issuer: adaptations.issuer))
    }

    // MARK: Locking

    /// Holds an exclusive lock on the server's credential (flock on a lock file beside it)
    /// while `body` runs, so processes sharing this folder refresh and log in one at a time.
    /// `body` is handed the ``CredentialLock`` that writing the credential needs.
    public func withLock<T: Sendable>(
        serverURL: String, timeout: Duration = .seconds(30), _ body: @Sendable (CredentialLock) async throws -> T
    ) async throws -> T {
        let path = "\(directory)/credentials/\(PKCE.digest(serverURL)).lock"
        try ensureFolder("\(directory)/credentials")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else { throw Self.openError(path, "open") }
        defer { close(fd) }  // closing releases the lock, also if the process dies
        let deadline = ContinuousClock.now + timeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw StoreError(path: path, detail: "cannot lock: \(String(cString: strerror(errno)))")
            }
            guard ContinuousClock.now < deadline else {
                throw StoreError(path: path, detail: "another mcptop process has held the lock for \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try await body(CredentialLock(serverURL: serverURL))
    }

    // MARK: Files

    private func load<T: Decodable>(_ type: T.Type, at path: String) throws(StoreError) -> T? {
        // Never through a link; non-blocking so that a FIFO planted here cannot hang the open.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Self.openError(path, "read")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw StoreError(path: path, detail: "is not a regular file; mcptop keeps logins only in files of its own")
        }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw StoreError(path: path, detail: "cannot be read: \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw StoreError(path: path, detail: "is damaged (\(Self.describe(error))); it was left as it is")
        }
    }

    private func write<T: Encodable>(_ value: T, to path: String) throws(StoreError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw StoreError(path: path, detail: "cannot encode: \(error)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        try ensureFolder(folder)
        let temporary = "\(path).tmp-\(getpid())-\(PKCE.randomString(byteCount: 6))"
        // O_EXCL already refuses any existing entry, a link included; O_NOFOLLOW says so twice.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw StoreError(path: temporary, detail: "cannot create: \(String(cString: strerror(errno)))")
        }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write: \(String(cString: strerror(errno)))"
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot fsync: \(String(cString: strerror(errno)))" }
        close(fd)
        // rename would replace a link itself, not its target; but a link here was planted by
        // someone, so it is reported rather than silently removed.
        var existing = stat()
        if failure == nil, lstat(path, &existing) == 0, existing.st_mode & S_IFMT == S_IFLNK {
            failure = Self.linkRefusal
        }
        if failure == nil, rename(temporary, path) != 0 {
            failure = "cannot rename into place: \(String(cString: strerror(errno)))"
        }
        if let failure {
            unlink(temporary)
            throw StoreError(path: path, detail: failure)
        }
        removeStaleTemporaries(in: folder)
        // The rename is durable once the folder itself is synced.
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
    }

    /// A process killed between creating and renaming its temporary file leaves it behind;
    /// ones older than a minute are nobody's any more.
    private func removeStaleTemporaries(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let cutoff = Date().addingTimeInterval(-60)
        for name in names where name.contains(".tmp-") {
            let path = "\(folder)/\(name)"
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                modified < cutoff
            {
                unlink(path)
            }
        }
    }

    static let linkRefusal =
        "is a symbolic link; mcptop reads and writes logins only in files of its own: remove the link"

    /// Why `open` failed, with a link named as such (`O_NOFOLLOW` fails with ELOOP on one).
    private static func openError(_ path: String, _ what: String) -> StoreError {
        let code = errno
        if code == ELOOP { return StoreError(path: path, detail: linkRefusal) }
        return StoreError(path: path, detail: "cannot \(what): \(String(cString: strerror(code)))")
    }

    private func remove(_ path: String) throws(StoreError) {
        if unlink(path) != 0 && errno != ENOENT {
            throw StoreError(path: path, detail: "cannot delete: \(String(cString: strerror(errno)))")
        }
    }

    /// Creates the folder (and the state folder) 0700, and tightens an existing one.
    private func ensureFolder(_ folder: String) throws(StoreError) {
        for path in [directory, folder] {
            var info = stat()
            if lstat(path, &info) == 0 {
                // chmod follows links: never tighten (or fill) what a link points at.
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw StoreError(
                        path: path,
                        detail: info.st_mode & S_IFMT == S_IFLNK ? Self.linkRefusal : "is not a folder")
                }
                if info.st_mode & 0o077 != 0 { chmod(path, 0o700) }
                continue
            }
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(path: path, detail: "cannot create the folder: \(error.localizedDescription)")
            }
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "bad \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: return "not valid JSON"
        default: return "unreadable"
        }
    }
}

/// Proof that the caller holds a credential's lock: made only by ``TokenStore/withLock`` for the
/// duration of its body, and needed to write the credential.
public struct CredentialLock: Sendable {
    public let serverURL: String

    fileprivate init(serverURL: String) { self.serverURL = serverURL }
}
