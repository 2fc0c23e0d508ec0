import Foundation

/// The checks a folder that holds secrets must pass before mcptop writes to it or tightens its
/// mode: a real folder (not a symbolic link, which would make mcptop chmod and fill whatever
/// it points at), owned by the user running mcptop.
public enum PrivateFolder {
    /// Why `path` must not be used, or nil when it is fine or does not exist yet (it is then
    /// created 0700). `owner` is the user id that must own it (the effective user's by default).
    public static func problem(at path: String, owner: uid_t = geteuid()) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return errno == ENOENT ? nil : "\(path) cannot be read: \(String(cString: strerror(errno)))"
        }
        if info.st_mode & S_IFMT == S_IFLNK {
            return "\(path) is a symbolic link; give the folder it points at itself (--state-dir or MCPTOP_STATE_DIR)"
        }
        if info.st_mode & S_IFMT != S_IFDIR { return "\(path) is not a folder" }
        if info.st_uid != owner {
            return
                "\(path) belongs to user id \(info.st_uid), not to you (\(owner)); mcptop keeps logins only in a folder of your own"
        }
        return nil
    }

    /// The first problem of the folder or of a folder or file inside it that holds secrets:
    /// the entries of `children` must not be symbolic links or belong to someone else either.
    public static func problem(at path: String, children: [String], owner: uid_t = geteuid()) -> String? {
        if let problem = problem(at: path, owner: owner) { return problem }
        for child in children {
            let folder = "\(path)/\(child)"
            if let problem = problem(at: folder, owner: owner) { return problem }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() {
                var info = stat()
                guard lstat("\(folder)/\(name)", &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFLNK {
                    return
                        "\(folder)/\(name) is a symbolic link; mcptop reads and writes logins only in files of its own"
                }
                if info.st_uid != owner { return "\(folder)/\(name) belongs to user id \(info.st_uid), not to you" }
            }
        }
        return nil
    }
}
