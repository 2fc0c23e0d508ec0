import Foundation
import Support

/// Turns one server entry of another client's dialect into mcptop's: `command`, `args`, `env`,
/// `cwd` for local servers; `url`, `type`, `headers` for remote ones; `disabled`, `timeout`
/// (ms) and the `oauth` client settings where the client has them. Variables are rewritten to
/// mcptop's `${VAR}`; settings without an equivalent are listed, not carried over.
struct EntryConverter {
    let file: ForeignConfigFile
    /// What `${VAR}` expands to when the entry is checked the way mcptop will read it.
    let environment: [String: String]

    /// The folder a project-level file belongs to (`${workspaceFolder}` in VS Code and Cursor).
    var projectFolder: String? {
        guard file.scope == .project else { return nil }
        let parts = file.path.split(separator: "/", omittingEmptySubsequences: false)
        // `.vscode/mcp.json` → the folder above `.vscode`; `opencode.json` → its own folder.
        let depth =
            file.path.hasSuffix("/opencode.json") || file.path.hasSuffix("/opencode.jsonc")
                || file.path.hasSuffix("/.mcp.json") ? 1 : 2
        return parts.dropLast(depth).joined(separator: "/")
    }

    func convert(name: String, entry: JSONValue) -> ForeignServer {
        var server = ForeignServer(name: name, client: file.client, file: file.path, entry: nil, target: "")
        guard case .object(let fields) = entry else {
            server.problem = "the entry must be an object, found \(entry.typeName)"
            return server
        }
        var state = State(fields: entry)
        switch file.client {
        case .zed: zed(&state)
        case .opencode: opencode(&state)
        case .codex: codex(&state)
        default: common(&state)
        }
        unwrapMCPRemote(&state)
        server.ignoredSettings = (fields.keys.filter { !state.used.contains($0) } + state.ignoredInside).sorted()
        if let url = state.output["url"]?.stringValue {
            server.target = displayURL(url)
        } else if let command = state.output["command"]?.stringValue {
            server.target = ([command] + (state.output["args"]?.arrayValue ?? []).compactMap(\.stringValue))
                .joined(separator: " ")
        }
        if let problem = state.problems.first {
            server.problem = problem
            return server
        }
        if state.output["command"] == nil, state.output["url"] == nil {
            server.problem = "has neither a command nor a URL"
            return server
        }
        // The entry must be one mcptop itself accepts (a name without spaces, a real URL…).
        do {
            _ = try Configuration.parse(
                Array((["mcpServers": [name: state.output]] as JSONValue).serialized().utf8), file: file.path,
                environment: environment)
        } catch {
            server.problem = error.field.map { "\($0): \(error.message)" } ?? error.message
            if state.output.serialized().contains("${") {
                server.problem? += " (with the variables as they are set now: set them and import again)"
            }
            return server
        }
        server.entry = state.output
        return server
    }

    /// The entry being read: the foreign fields, which of them were used, the output so far.
    struct State {
        var fields: JSONValue
        var used: Set<String> = []
        var output: JSONValue = [:]
        var problems: [String] = []
        /// Settings inside a used one that are not carried over (`oauth.tokenUrl`).
        var ignoredInside: [String] = []

        init(fields: JSONValue) { self.fields = fields }

        mutating func take(_ key: String) -> JSONValue? {
            guard let value = fields[key], value != .null else { return nil }
            used.insert(key)
            return value
        }

        mutating func string(_ key: String) -> String? {
            guard let value = take(key) else { return nil }
            guard let text = value.stringValue else {
                problems.append("\(key) must be a string, found \(value.typeName)")
                return nil
            }
            return text
        }

        mutating func strings(_ key: String) -> [String]? {
            guard let value = take(key) else { return nil }
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                problems.append("\(key) must be an array of strings")
                return nil
            }
            return items.compactMap(\.stringValue)
        }

        /// An object of strings (numbers and booleans are written as text, as the clients do).
        mutating func stringMap(_ key: String) -> [(String, String)]? {
            guard let value = take(key) else { return nil }
            guard let object = value.objectValue else {
                problems.append("\(key) must be an object of strings, found \(value.typeName)")
                return nil
            }
            var pairs: [(String, String)] = []
            for (name, item) in object {
                switch item {
                case .string(let text): pairs.append((name, text))
                case .int, .double, .bool: pairs.append((name, item.serialized()))
                default: problems.append("\(key).\(name) must be a string, found \(item.typeName)")
                }
            }
            return pairs
        }
    }

    // MARK: Dialects

    /// Claude Desktop, Claude Code, Cursor, Gemini CLI, VS Code, Windsurf, Cline and Roo.
    private func common(_ state: inout State) {
        let type = state.string("type") ?? state.string("transport")
        if let command = state.string("command") {
            local(&state, command: command, arguments: state.strings("args") ?? [], environment: state.stringMap("env"))
            if let cwd = state.string("cwd") { state.output["cwd"] = .string(variables(cwd, &state)) }
        } else if let url = state.string("httpUrl") {
            remote(&state, url: url, type: "http")  // Gemini CLI: httpUrl is Streamable HTTP
        } else if let url = state.string("url") ?? state.string("serverUrl") {
            // Gemini CLI reads a bare `url` as SSE; the others detect or default to HTTP.
            remote(&state, url: url, type: transportType(type, &state) ?? (file.client == .gemini ? "sse" : nil))
        }
        if let headers = state.stringMap("headers") { setHeaders(&state, headers) }
        if state.take("disabled")?.boolValue == true || state.take("enabled")?.boolValue == false {
            state.output["disabled"] = true
        }
        if file.client == .gemini, let timeout = state.take("timeout")?.intValue, timeout > 0 {
            state.output["timeout"] = .int(Int64(timeout))
        }
        if let oauth = state.take("oauth")?.objectValue {
            let carried: Set<String> = ["clientId", "clientSecret", "scopes", "callbackPort", "redirectPort"]
            state.ignoredInside += oauth.keys.filter { !carried.contains($0) }.map { "oauth.\($0)" }
            var settings: JSONValue = [:]
            if let id = oauth["clientId"]?.stringValue { settings["clientId"] = .string(variables(id, &state)) }
            if let secret = oauth["clientSecret"]?.stringValue {
                settings["clientSecret"] = .string(variables(secret, &state))
            }
            if let scopes = oauth["scopes"], scopes.arrayValue != nil || scopes.stringValue != nil {
                settings["scopes"] = scopes
            }
            // Claude Code's `callbackPort` and mcptop's `redirectPort` are the same loopback port.
            if let port = oauth["callbackPort"]?.intValue ?? oauth["redirectPort"]?.intValue {
                settings["redirectPort"] = .int(Int64(port))
            }
            if settings != [:] { state.output["oauth"] = settings }
        }
    }

    /// Zed's `context_servers`: `command` as a string (with `args`, `env`) or, in older
    /// settings, as `{"path", "args", "env"}`; `url` and `headers` for remote servers.
    private func zed(_ state: inout State) {
        if state.take("source")?.stringValue == "extension" {
            state.problems.append("is provided by a Zed extension; its command is not in the settings")
            return
        }
        if let command = state.take("command") {
            if let path = command.stringValue {
                local(
                    &state, command: path, arguments: state.strings("args") ?? [], environment: state.stringMap("env"))
            } else if let path = command["path"]?.stringValue {
                var inner = State(fields: command)
                _ = inner.take("path")
                local(
                    &state, command: path, arguments: inner.strings("args") ?? [], environment: inner.stringMap("env"))
                state.problems += inner.problems
            } else {
                state.problems.append("command must be a string or an object with \"path\"")
            }
        } else if let url = state.string("url") {
            remote(&state, url: url, type: nil)
            if let headers = state.stringMap("headers") { setHeaders(&state, headers) }
        }
        if state.take("enabled")?.boolValue == false { state.output["disabled"] = true }
    }

    /// opencode's `mcp`: `"type": "local"` with `command` as an array and `environment`, or
    /// `"type": "remote"` with `url` and `headers`.
    private func opencode(_ state: inout State) {
        let type = state.string("type")
        switch type {
        case "local"?:
            guard let command = state.strings("command"), let program = command.first else {
                state.problems.append("command must be a non-empty array of strings")
                return
            }
            local(
                &state, command: program, arguments: Array(command.dropFirst()),
                environment: state.stringMap("environment"))
        case "remote"?:
            if let url = state.string("url") { remote(&state, url: url, type: nil) }
            if let headers = state.stringMap("headers") { setHeaders(&state, headers) }
        default:
            state.problems.append("type must be \"local\" or \"remote\", found \(type.map { "\"\($0)\"" } ?? "none")")
        }
        if state.take("enabled")?.boolValue == false { state.output["disabled"] = true }
        if let timeout = state.take("timeout")?.intValue, timeout > 0 { state.output["timeout"] = .int(Int64(timeout)) }
    }

    /// Codex's `[mcp_servers.NAME]`: `command`, `args`, `env`, `cwd`; or `url` with
    /// `bearer_token_env_var`, `http_headers` and `env_http_headers` (header → variable).
    private func codex(_ state: inout State) {
        if let command = state.string("command") {
            local(&state, command: command, arguments: state.strings("args") ?? [], environment: state.stringMap("env"))
            if let cwd = state.string("cwd") { state.output["cwd"] = .string(cwd) }
        } else if let url = state.string("url") {
            remote(&state, url: url, type: "http")
            var headers = state.stringMap("http_headers") ?? []
            for (header, variable) in state.stringMap("env_http_headers") ?? [] {
                headers.append((header, "${\(variable)}"))
            }
            if let variable = state.string("bearer_token_env_var") {
                headers.append(("Authorization", "Bearer ${\(variable)}"))
            }
            if !headers.isEmpty { setHeaders(&state, headers) }
        }
        if state.take("enabled")?.boolValue == false { state.output["disabled"] = true }
        if let seconds = state.take("tool_timeout_sec")?.doubleValue, seconds > 0 {
            state.output["timeout"] = .int(Int64((seconds * 1000).rounded()))
        }
    }

    // MARK: Pieces

    /// `npx -y mcp-remote URL [--header "Name: value"] [--transport sse-only]`, how clients that
    /// start only local commands reach a remote server: mcptop speaks HTTP itself, so the entry
    /// becomes the URL, with the headers and transport mcp-remote was given.
    private func unwrapMCPRemote(_ state: inout State) {
        let arguments = state.output["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard let index = arguments.firstIndex(where: { $0 == "mcp-remote" || $0.hasPrefix("mcp-remote@") }),
            index + 1 < arguments.count, arguments[index + 1].hasPrefix("http")
        else { return }
        var output: JSONValue = ["url": .string(arguments[index + 1])]
        var headers: JSONValue = [:]
        var rest = arguments[(index + 2)...].makeIterator()
        while let argument = rest.next() {
            switch argument {
            case "--header":
                guard let header = rest.next(), let colon = header.firstIndex(of: ":") else { continue }
                headers[String(header[..<colon]).trimmingCharacters(in: .whitespaces)] = .string(
                    String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            case "--transport":
                let transport = rest.next() ?? ""
                if transport.hasPrefix("sse") { output["type"] = "sse" }
                if transport.hasPrefix("http") { output["type"] = "http" }
            default: continue
            }
        }
        if headers != [:] { output["headers"] = headers }
        if state.output["disabled"] != nil { output["disabled"] = true }
        state.output = output
    }

    private func local(_ state: inout State, command: String, arguments: [String], environment: [(String, String)]?) {
        state.output["command"] = .string(variables(command, &state))
        if !arguments.isEmpty { state.output["args"] = .array(arguments.map { .string(variables($0, &state)) }) }
        if let environment, !environment.isEmpty {
            var env: JSONValue = [:]
            for (name, value) in environment { env[name] = .string(variables(value, &state)) }
            state.output["env"] = env
        }
    }

    private func remote(_ state: inout State, url: String, type: String?) {
        state.output["url"] = .string(variables(url, &state))
        if let type { state.output["type"] = .string(type) }
    }

    private func setHeaders(_ state: inout State, _ headers: [(String, String)]) {
        guard !headers.isEmpty else { return }
        var object: JSONValue = [:]
        for (name, value) in headers { object[name] = .string(variables(value, &state)) }
        state.output["headers"] = object
    }

    /// The transport names the clients write, as mcptop's `http` or `sse` (nil: detect).
    private func transportType(_ type: String?, _ state: inout State) -> String? {
        guard let type else { return nil }
        switch type.lowercased().filter({ $0 != "-" && $0 != "_" }) {
        case "http", "streamablehttp", "streamable": return "http"
        case "sse": return "sse"
        case "stdio", "remote": return nil
        default:
            state.problems.append("unknown transport type \"\(type)\"")
            return nil
        }
    }

    /// A value with the client's variables written as mcptop's `${VAR}`: VS Code's and Cursor's
    /// `${env:VAR}`, `${userHome}` and `${workspaceFolder}`, Gemini CLI's bare `$VAR`. VS Code's
    /// `${input:…}` asks the user at start, which mcptop cannot: such a server is not imported.
    func variables(_ text: String, _ state: inout State) -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.first == "{", let close = after.firstIndex(of: "}") {
                let body = after[after.index(after: after.startIndex)..<close]
                if body.hasPrefix("env:") {
                    output += "${\(body.dropFirst(4))}"
                } else if body == "userHome" {
                    output += "${HOME}"
                } else if body == "workspaceFolder" || body == "workspaceRoot", let folder = projectFolder {
                    output += folder
                } else if body.hasPrefix("input:") || body.hasPrefix("command:") {
                    state.problems.append(
                        "uses ${\(body)}, which \(file.client.displayName) asks for at start and mcptop cannot")
                    output += "${\(body)}"
                } else {
                    output += "${\(body)}"
                }
                rest = after[after.index(after: close)...]
            } else if file.client == .gemini, let first = after.first, first == "_" || first.isLetter {
                let name = after.prefix { $0 == "_" || $0.isLetter || $0.isNumber }
                output += "${\(name)}"
                rest = after[name.endIndex...]
            } else {
                output += "$"
                rest = after
            }
        }
        return output + rest
    }
}
