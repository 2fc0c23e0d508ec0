import Foundation
import Support
import Synchronization
import TOMLKit

/// Reads another client's configuration file (never writes it) and turns each server into an
/// entry of mcptop's dialect. A malformed file is a `failure`, a server that cannot be carried
/// over is a server with a `problem`; neither stops the others.
public enum ForeignConfigReader {
    /// `environment` is the one mcptop will run with: an entry whose URL needs a variable that
    /// is not set there is not imported (mcptop could not read its config back).
    public static func read(_ file: ForeignConfigFile, environment: [String: String]) -> ForeignConfigRead {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            return ForeignConfigRead(
                file: file, servers: [], failure: "\(file.path): cannot be read (check its permissions)")
        }
        return parse(Array(data), file: file, environment: environment)
    }

    public static func parse(_ bytes: [UInt8], file: ForeignConfigFile, environment: [String: String])
        -> ForeignConfigRead
    {
        let document: JSONValue
        switch decode(bytes, file: file) {
        case .success(let value): document = value
        case .failure(let failure): return ForeignConfigRead(file: file, servers: [], failure: failure.message)
        }
        guard case .object(let root) = document else {
            return ForeignConfigRead(
                file: file, servers: [],
                failure: "\(file.path): expected an object at the top, found \(document.typeName)")
        }
        var sections: [(path: String, value: JSONValue)] = []
        switch file.dialect {
        case .mcpServers: sections = [("mcpServers", root["mcpServers"] ?? .null)]
        case .claudeCodeState(let project):
            sections = [
                ("mcpServers", root["mcpServers"] ?? .null),
                ("projects.\(project).mcpServers", root["projects"]?[project]?["mcpServers"] ?? .null),
            ]
        case .vscodeMCP: sections = [("servers", root["servers"] ?? .null)]
        case .vscodeSettings: sections = [("mcp.servers", root["mcp"]?["servers"] ?? .null)]
        case .zed: sections = [("context_servers", root["context_servers"] ?? .null)]
        case .opencode: sections = [("mcp", root["mcp"] ?? .null)]
        case .codexTOML: sections = [("mcp_servers", root["mcp_servers"] ?? .null)]
        }
        var servers: [ForeignServer] = []
        for section in sections {
            switch section.value {
            case .null: continue  // The client's settings without servers: nothing to import.
            case .object(let entries):
                let converter = EntryConverter(file: file, environment: environment)
                servers += entries.map { converter.convert(name: $0.key, entry: $0.value) }
            default:
                return ForeignConfigRead(
                    file: file, servers: servers,
                    failure:
                        "\(file.path): \(section.path) must be an object of servers, found \(section.value.typeName)")
            }
        }
        return ForeignConfigRead(file: file, servers: servers, failure: nil)
    }

    struct Failure: Error, Sendable {
        var message: String
    }

    /// TOMLKit 0.6 frees nothing it allocates (its C API cannot free a parsed table, a key list
    /// or a string), so each parse of a TOML document leaks several times its size; the
    /// dashboard reads Codex's config every 30 s. A document is parsed once: the outcome for
    /// the bytes last read from each file is kept (for a few files).
    private static let parsedTOML = Mutex<[String: (bytes: [UInt8], outcome: Result<JSONValue, Failure>)]>([:])
    private static let parsedTOMLFiles = 16
    /// How many TOML documents were handed to TOMLKit (what it leaks grows with this).
    static let tomlParses = Mutex(0)

    private static func decode(_ bytes: [UInt8], file: ForeignConfigFile) -> Result<JSONValue, Failure> {
        if file.dialect == .codexTOML {
            let known = parsedTOML.withLock { $0[file.path] }
            if let known, known.bytes == bytes { return known.outcome }
            let outcome = decodeTOML(bytes, file: file)
            parsedTOML.withLock { parsed in
                parsed[file.path] = (bytes, outcome)
                if parsed.count > parsedTOMLFiles, let other = parsed.keys.first(where: { $0 != file.path }) {
                    parsed[other] = nil
                }
            }
            return outcome
        }
        do {
            // Every JSON these clients read is parsed as JSON with comments, a superset.
            return .success(try JSONValue.parse(JSONWithComments.strip(bytes)))
        } catch {
            return .failure(Failure(message: "\(file.path):\(error.line):\(error.column): \(error.message)"))
        }
    }

    private static func decodeTOML(_ bytes: [UInt8], file: ForeignConfigFile) -> Result<JSONValue, Failure> {
        tomlParses.withLock { $0 += 1 }
        let text = String(decoding: bytes, as: UTF8.self)
        if let problem = TOMLPrecheck.problem(in: text) {
            return .failure(Failure(message: "\(file.path):\(problem.line):\(problem.column): \(problem.message)"))
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let place = error.source.begin
            return .failure(Failure(message: "\(file.path):\(place.line):\(place.column): \(error.description)"))
        } catch {
            return .failure(Failure(message: "\(file.path): not TOML (\(error))"))
        }
        return .success(json(table))
    }

    /// A TOML value as JSON: dates and times become their TOML text.
    static func json(_ value: any TOMLValueConvertible) -> JSONValue {
        if let table = value.table {
            var object: JSONValue = [:]
            for key in table.keys {
                if let item = table[key] { object[key] = json(item) }
            }
            return object
        }
        if let array = value.array { return .array(array.map { json($0) }) }
        if let string = value.string { return .string(string) }
        if let bool = value.bool { return .bool(bool) }
        if let int = value.int { return .int(Int64(int)) }
        if let double = value.double { return .double(double) }
        return .string(value.debugDescription)
    }
}

extension ForeignConfigReader {
    /// Every existing file of the clients asked for (all when empty), read.
    public static func readAll(
        environment: [String: String], projectDirectory: String, clients: [ForeignClient] = []
    ) -> [ForeignConfigRead] {
        ForeignConfigFile.existing(environment: environment, projectDirectory: projectDirectory, clients: clients)
            .map { read($0, environment: environment) }
    }
}
