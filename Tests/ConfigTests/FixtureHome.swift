import Foundation

/// A copy of a fixture home folder (`Fixtures/home`, `Fixtures/broken-home`) in a temporary
/// folder, with `PROJECT_DIR` in the files replaced by the copy's `project` folder. Tests point
/// HOME at it; `deinit` removes it.
final class FixtureHome {
    let root: String
    var project: String { root + "/project" }
    var environment: [String: String] { ["HOME": root] }

    init(_ name: String) throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)").path
        root =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("mcptop-\(name)-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: source, toPath: root)
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        for file in files() {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            if text.contains("PROJECT_DIR") {
                try text.replacingOccurrences(of: "PROJECT_DIR", with: project).write(
                    toFile: file, atomically: false, encoding: .utf8)
            }
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Every regular file under the home, by path.
    func files() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var paths: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                paths.append(path)
            }
        }
        return paths.sorted()
    }

    /// Each file's bytes and modification time (to the nanosecond), to prove nothing was touched.
    func fingerprints(excluding excluded: String? = nil) throws -> [String: String] {
        var result: [String: String] = [:]
        for path in files() where excluded.map({ !path.hasPrefix($0) }) ?? true {
            var info = stat()
            stat(path, &info)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            result[path] = "\(bytes.base64EncodedString()) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        return result
    }
}
