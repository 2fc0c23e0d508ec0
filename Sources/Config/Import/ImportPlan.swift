import Foundation
import Support

/// What `mcptop import` does with one server found elsewhere.
public struct ImportOutcome: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case add
        /// `--force`: the entry of the same name in mcptop's config is replaced.
        case replace
        case skip(reason: String)
    }

    public var server: ForeignServer
    public var action: Action
}

/// The import worked out before anything is written: each server's outcome, the foreign files
/// that could not be read, and mcptop's config as it will be. `--dry-run` prints it; `write`
/// carries it out.
public struct ImportPlan: Sendable {
    public var configFile: String
    public var outcomes: [ImportOutcome]
    /// Malformed foreign files, one line each (`path:line:column: message`); they were skipped.
    public var failures: [String]
    /// mcptop's config with the imported servers.
    public var document: JSONValue
    /// The config's bytes before the import (nil when there was no file).
    public var previous: [UInt8]?

    public var changesConfig: Bool {
        outcomes.contains { $0.action == .add || $0.action == .replace }
    }

    /// Works out the import of `reads` into the config at `configFile` (whose bytes are
    /// `existing`, nil when it does not exist yet). A config that is not valid JSON is an error:
    /// nothing is imported into a file mcptop cannot read back.
    public static func make(
        reads: [ForeignConfigRead], configFile: String, existing: [UInt8]?, force: Bool
    ) throws(ConfigError) -> ImportPlan {
        try make(
            servers: reads.flatMap(\.servers), failures: reads.compactMap(\.failure), configFile: configFile,
            existing: existing, force: force)
    }

    /// The same for servers chosen one by one (a row of the token board).
    public static func make(
        servers found: [ForeignServer], failures: [String], configFile: String, existing: [UInt8]?, force: Bool
    ) throws(ConfigError) -> ImportPlan {
        var document: JSONValue = ["mcpServers": [:]]
        if let existing {
            do {
                document = try JSONValue.parse(existing)
            } catch {
                throw ConfigError(
                    file: configFile, line: error.line, column: error.column,
                    message: "\(error.message) (fix it before importing; nothing was written)")
            }
            guard document.objectValue != nil else {
                throw ConfigError(
                    file: configFile, message: "the file must hold a JSON object, found \(document.typeName)")
            }
        }
        // mcptop reads VS Code's "servers" too: keep adding to whichever the file uses.
        let key = document["mcpServers"] == nil && document["servers"] != nil ? "servers" : "mcpServers"
        var servers = document[key] ?? [:]
        guard servers.objectValue != nil else {
            throw ConfigError(
                file: configFile, field: key, message: "must be an object mapping server names to their settings")
        }
        let original = servers
        var outcomes: [ImportOutcome] = []
        var importedFrom: [String: ForeignServer] = [:]
        for server in found {
            let action = decide(server, original: original, earlier: importedFrom[server.name], force: force)
            if action == .add || action == .replace, let entry = server.entry {
                servers[server.name] = entry
                importedFrom[server.name] = server
            }
            outcomes.append(ImportOutcome(server: server, action: action))
        }
        document[key] = servers
        return ImportPlan(
            configFile: configFile, outcomes: outcomes, failures: failures, document: document,
            previous: existing)
    }

    private static func decide(_ server: ForeignServer, original: JSONValue, earlier: ForeignServer?, force: Bool)
        -> ImportOutcome.Action
    {
        guard let entry = server.entry else { return .skip(reason: server.problem ?? "cannot be imported") }
        if let earlier {
            if earlier.entry == entry { return .skip(reason: "same as the one from \(earlier.file)") }
            return .skip(
                reason:
                    "the name is taken by the server from \(earlier.file) (import one client at a time with --from to choose)"
            )
        }
        if let present = original[server.name] {
            if present == entry { return .skip(reason: "already in mcptop's config") }
            return force
                ? .replace : .skip(reason: "mcptop's config has another server of this name (--force replaces it)")
        }
        return .add
    }

    /// Writes the config (temporary file, fsync, rename; 0600, as it may hold headers) after
    /// copying the previous one beside it. Returns the backup's path (nil when there was none).
    public func write(now: Date = Date()) throws(ConfigError) -> String? {
        let folder = (configFile as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigError(file: folder, message: "cannot create the folder: \(error.localizedDescription)")
        }
        var backup: String?
        if let previous {
            let stamp = TimeText.iso8601(now).replacingOccurrences(of: ":", with: "")
            let path = "\(configFile).\(stamp).bak"
            try Self.replace(path, with: previous)
            backup = path
        }
        try Self.replace(configFile, with: Array((document.prettyPrinted() + "\n").utf8))
        return backup
    }

    /// Puts `bytes` at `path` in one step: a reader sees the old file or the new one.
    private static func replace(_ path: String, with bytes: [UInt8]) throws(ConfigError) {
        let temporary = "\(path).import-\(getpid())"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        else {
            throw ConfigError(file: temporary, message: "cannot be written: \(String(cString: strerror(errno)))")
        }
        if let handle = FileHandle(forUpdatingAtPath: temporary) {
            try? handle.synchronize()
            try? handle.close()
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ConfigError(file: path, message: "cannot be replaced: \(reason)")
        }
    }
}
