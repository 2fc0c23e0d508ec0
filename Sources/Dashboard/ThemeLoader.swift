import Foundation

/// Why a theme could not be loaded.
public enum ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No search path has `<name>.theme`; `available` lists the names that do exist.
    case unknown(name: String, available: [String])
    case unreadable(path: String)

    public var description: String {
        switch self {
        case .unknown(let name, let available):
            let names = available.isEmpty ? "none besides the built-in one" : available.joined(separator: ", ")
            return "no theme named \"\(name)\" (available: \(names))"
        case .unreadable(let path):
            return "\(path): the theme file cannot be read"
        }
    }
}

/// Finds theme files: the user's folder first, then those installed beside the binary, then
/// the repository's `themes/` (so a binary in `.build/` finds them).
public enum ThemeLoader {
    public static let fileExtension = "theme"

    /// In order: `$XDG_CONFIG_HOME/mcptop/themes` (default `~/.config/mcptop/themes`),
    /// `<dir of the executable>/../share/mcptop/themes`, `<dir of the executable>/themes`, and
    /// the first `themes/` holding `.theme` files found walking up from the executable's folder
    /// (`.build/debug/mcptop` finds the repository's). A bare executable name is looked up
    /// in `PATH`; symbolic links are followed. Duplicates are dropped.
    public static func defaultSearchPaths(environment: [String: String], executablePath: String) -> [String] {
        var paths: [String] = []
        func add(_ path: String) {
            if !paths.contains(path) { paths.append(path) }
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        add(URL(fileURLWithPath: configHome).appendingPathComponent("mcptop/themes").standardized.path)

        guard let executable = locate(executablePath, environment: environment) else { return paths }
        let folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        add(folder.appendingPathComponent("../share/mcptop/themes").standardized.path)
        add(folder.appendingPathComponent("themes").standardized.path)
        var parent = folder.deletingLastPathComponent()
        for _ in 0..<8 {
            let candidate = parent.appendingPathComponent("themes").standardized.path
            if !themeFiles(in: candidate).isEmpty {
                add(candidate)
                break
            }
            let next = parent.deletingLastPathComponent()
            if next.path == parent.path { break }
            parent = next
        }
        return paths
    }

    /// The executable's path: as given when it has a slash, else the first match in `PATH`.
    static func locate(_ executablePath: String, environment: [String: String]) -> String? {
        guard !executablePath.isEmpty else { return nil }
        if executablePath.contains("/") { return executablePath }
        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = String(folder) + "/" + executablePath
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The `.theme` file names in a folder, sorted; empty when the folder does not exist.
    static func themeFiles(in folder: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasSuffix("." + fileExtension) && !$0.hasPrefix(".") }.sorted()
    }

    /// Theme name (the file name without `.theme`) → file, the first path that has it winning.
    public static func available(searchPaths: [String]) -> [String: String] {
        var found: [String: String] = [:]
        for folder in searchPaths {
            for file in themeFiles(in: folder) {
                let name = String(file.dropLast(fileExtension.count + 1))
                if found[name] == nil { found[name] = folder + "/" + file }
            }
        }
        return found
    }

    /// Loads `<name>.theme` from the first search path that has it. A name with a slash or
    /// ending in `.theme` is read as a path. Warnings come with the file's path and line.
    public static func load(named name: String, searchPaths: [String]) -> Result<(Theme, [ThemeWarning]), ThemeError> {
        let path: String
        if name.contains("/") || name.hasSuffix("." + fileExtension) {
            path = name
        } else {
            let available = available(searchPaths: searchPaths)
            guard let found = available[name] else {
                return .failure(.unknown(name: name, available: available.keys.sorted()))
            }
            path = found
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            if path == name, !FileManager.default.fileExists(atPath: path) {
                return .failure(.unknown(name: name, available: available(searchPaths: searchPaths).keys.sorted()))
            }
            return .failure(.unreadable(path: path))
        }
        return .success(Theme.parse(String(decoding: data, as: UTF8.self), source: path))
    }

    /// https://no-color.org: NO_COLOR set to anything non-empty turns colours off.
    public static func noColorRequested(environment: [String: String]) -> Bool {
        guard let value = environment["NO_COLOR"] else { return false }
        return !value.isEmpty
    }
}
