import Foundation

/// Reading a file a person points mcptop at (the config, a theme) with a size cap: a file of
/// 100 MB named by mistake is refused at once, with its path and the cap, instead of being
/// read and parsed for seconds.
public enum CappedFile {
    public enum Failure: Error, Sendable, Equatable {
        /// It cannot be opened or read; the system's reason.
        case unreadable(String)
        /// It holds more than the cap.
        case tooLarge
    }

    /// The file's bytes, reading at most `cap + 1` of them.
    public static func read(_ path: String, cap: Int) -> Result<[UInt8], Failure> {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(.unreadable(String(cString: strerror(errno))))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: cap + 1) ?? Data()
            return data.count > cap ? .failure(.tooLarge) : .success(Array(data))
        } catch {
            return .failure(.unreadable(error.localizedDescription))
        }
    }

    /// "4 MiB", "512 KiB": a cap as people read it.
    public static func describe(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0
            ? "\(bytes >> 20) MiB"
            : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? "\(bytes >> 10) KiB" : "\(bytes) bytes"
    }
}
