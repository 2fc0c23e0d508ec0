import Foundation
import Support

/// Why a theme could not be loaded.
public enum ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No search path has `<name>.theme`; `available` lists the names that do exist.
    case unknown(name: String, available: [String])
    case unreadable(path: String)
    /// The file holds more than `ThemeLoader.maxFileBytes`.
    case tooLarge(path: String)

    public var description: String {
        switch self {
        case .unknown(let name, let available):
            let names = available.isEmpty ? "none besides the built-in one" : available.joined(separator: ", ")
            return "no theme named \"\(name)\" (available: \(names))"
        case .unreadable(let path):
            return "\(path): the theme file cannot be read"
        case .tooLarge(let path):
            return
                "\(path): the theme file is larger than \(CappedFile.describe(ThemeLoader.maxFileBytes)), the most a theme may hold"
        }
    }
}

/// Where a theme's text comes from.
public enum ThemeSource: Sendable, Hashable, CustomStringConvertible {
    /// A `.theme` file.
    case file(path: String)
    /// The copy of `themes/<name>.theme` compiled into mcptop (`BundledThemes`).
    case builtIn(name: String)

    /// What warnings name: the file's path, or `built-in themes/<name>.theme`.
    public var description: String {
        switch self {
        case .file(let path): return path
        case .builtIn(let name): return "built-in themes/\(name).\(ThemeLoader.fileExtension)"
        }
    }
}

/// Finds themes: the user's folder first, then files installed beside the binary, then the
/// repository's `themes/` (so a binary in `.build/` picks up edits without a rebuild), then the
/// shipped themes compiled into the binary.
public enum ThemeLoader {
    public static let fileExtension = "theme"
    /// The most a theme file may hold (the shipped ones are about 2 KiB).
    public static let maxFileBytes = 256 << 10

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

    /// Theme name → where its text comes from: the first search path with `<name>.theme`,
    /// else the copy compiled into mcptop (`bundled`), so a file overrides a shipped theme of
    /// the same name and a binary copied out of the repository still has every shipped theme.
    public static func available(
        searchPaths: [String], bundled: [String: String] = BundledThemes.files
    ) -> [String: ThemeSource] {
        var found: [String: ThemeSource] = [:]
        for folder in searchPaths {
            for file in themeFiles(in: folder) {
                let name = String(file.dropLast(fileExtension.count + 1))
                if found[name] == nil { found[name] = .file(path: folder + "/" + file) }
            }
        }
        for name in bundled.keys where found[name] == nil {
            found[name] = .builtIn(name: name)
        }
        return found
    }

    /// Loads the theme called `name` (see `available`). A name with a slash or ending in
    /// `.theme` is read as a path. Warnings come with the file's path and line.
    public static func load(
        named name: String, searchPaths: [String], bundled: [String: String] = BundledThemes.files
    ) -> Result<(Theme, [ThemeWarning]), ThemeError> {
        if name.contains("/") || name.hasSuffix("." + fileExtension) {
            if !FileManager.default.fileExists(atPath: name) {
                let names = available(searchPaths: searchPaths, bundled: bundled).keys.sorted()
                return .failure(.unknown(name: name, available: names))
            }
            return load(.file(path: name), bundled: bundled)
        }
        let available = available(searchPaths: searchPaths, bundled: bundled)
        guard let source = available[name] else {
            return .failure(.unknown(name: name, available: available.keys.sorted()))
        }
        return load(source, bundled: bundled)
    }

    /// Reads and parses one theme.
    public static func load(
        _ source: ThemeSource, bundled: [String: String] = BundledThemes.files
    ) -> Result<(Theme, [ThemeWarning]), ThemeError> {
        switch source {
        case .file(let path):
            switch CappedFile.read(path, cap: maxFileBytes) {
            case .success(let bytes): return .success(Theme.parse(String(decoding: bytes, as: UTF8.self), source: path))
            case .failure(.tooLarge): return .failure(.tooLarge(path: path))
            case .failure(.unreadable): return .failure(.unreadable(path: path))
            }
        case .builtIn(let name):
            guard let text = bundled[name] else {
                return .failure(.unknown(name: name, available: bundled.keys.sorted()))
            }
            return .success(Theme.parse(text, source: source.description))
        }
    }

    /// https://no-color.org: NO_COLOR set to anything non-empty turns colours off.
    public static func noColorRequested(environment: [String: String]) -> Bool {
        guard let value = environment["NO_COLOR"] else { return false }
        return !value.isEmpty
    }
}
