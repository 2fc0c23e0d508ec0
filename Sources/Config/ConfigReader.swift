import Foundation
import HTTP
import MCPClient
import OAuth
import Support

/// Turns the config document into servers, with errors that point at the offending field.
struct ConfigReader {
    let file: String
    let positions: JSONPositions
    let environment: [String: String]

    private static let knownServerKeys: Set<String> = [
        "command", "args", "env", "cwd", "url", "httpUrl", "serverUrl", "type", "transport", "headers",
        "timeout", "protocolVersion", "maxResponseBytes", "disabled", "enabled", "oauth", "description",
        // Keys other clients write that mcptop has no use for, accepted silently.
        "trust", "includeTools", "excludeTools", "autoApprove", "alwaysAllow", "envFile",
        "authProviderType", "name", "gallery", "version",
    ]

    func error(_ path: [String], _ message: String) -> ConfigError {
        let location = positions.location(of: JSONPositions.pointer(path))
        return ConfigError(
            file: file, line: location?.line, column: location?.column,
            field: path.joined(separator: "."), message: message)
    }

    func theme(in document: JSONValue) throws(ConfigError) -> String? {
        try optionalString(document["mcptop"]?["theme"], ["mcptop", "theme"])
    }

    /// `"mcptop": {"caFile": "/path/ca.pem"}`, a readable file (`~` is the home folder).
    func caFile(in document: JSONValue) throws(ConfigError) -> String? {
        let path = ["mcptop", "caFile"]
        guard var file = try optionalString(document["mcptop"]?["caFile"], path) else { return nil }
        if file.hasPrefix("~/") { file = NSHomeDirectory() + file.dropFirst() }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw error(path, "\(file) is not a readable file (a PEM bundle of the CA certificates to trust)")
        }
        return file
    }

    mutating func servers(in document: JSONValue) throws(ConfigError) -> [ConfiguredServer] {
        guard case .object(let root) = document else {
            throw error([], "the file must hold a JSON object, found \(document.typeName)")
        }
        var maxBytes = 64 << 20
        if let settings = root["mcptop"] {
            if let limit = settings["maxResponseBytes"] {
                maxBytes = try positiveInt(limit, ["mcptop", "maxResponseBytes"])
            }
        }
        // Claude Desktop, Cursor, Gemini CLI: "mcpServers"; VS Code: "servers".
        let key: String
        if root["mcpServers"] != nil {
            key = "mcpServers"
        } else if root["servers"] != nil {
            key = "servers"
        } else {
            throw error([], "no \"mcpServers\" object (or VS Code's \"servers\") in the file")
        }
        guard case .object(let entries) = root[key] ?? .null else {
            throw error([key], "must be an object mapping server names to their settings")
        }
        var servers: [ConfiguredServer] = []
        for (name, entry) in entries {
            if let server = try self.server(name: name, entry: entry, path: [key, name], maxBytes: maxBytes) {
                servers.append(server)
            }
        }
        return servers
    }

    private func server(name: String, entry: JSONValue, path: [String], maxBytes: Int) throws(ConfigError)
        -> ConfiguredServer?
    {
        guard case .object(let fields) = entry else {
            throw error(path, "must be an object, found \(entry.typeName)")
        }
        if name.isEmpty || name.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw error(path, "a server name must be non-empty and without spaces")
        }
        if fields["disabled"]?.boolValue == true || fields["enabled"]?.boolValue == false { return nil }
        for key in fields.keys where !Self.knownServerKeys.contains(key) {
            throw error(
                path + [key],
                "unknown setting (known: command, args, env, cwd, url, httpUrl, type, headers, timeout, protocolVersion)"
            )
        }
        var problems: [String] = []
        func expand(_ value: String, _ field: [String]) -> String {
            let (text, missing) = VariableExpansion.expand(value, environment: environment)
            for variable in missing {
                problems.append("\(field.joined(separator: ".")) uses ${\(variable)}, which is not set")
            }
            return text
        }

        let type = try optionalString(
            fields["type"] ?? fields["transport"], path + [fields["type"] != nil ? "type" : "transport"])?
            .lowercased()
        let transport: ServerEndpoint.Transport
        let displayTarget: String
        if let command = try optionalString(fields["command"], path + ["command"]) {
            if let type, type != "stdio" {
                throw error(path + ["type"], "\"\(type)\" does not go with \"command\" (use \"stdio\")")
            }
            let rawArguments = try stringArray(fields["args"], path + ["args"])
            displayTarget = ([command] + rawArguments).joined(separator: " ")
            let arguments = rawArguments.map { expand($0, path + ["args"]) }
            var environmentVariables: [String: String] = [:]
            for (variable, value) in try stringMap(fields["env"], path + ["env"]) {
                environmentVariables[variable] = expand(value, path + ["env", variable])
            }
            let cwd = try optionalString(fields["cwd"], path + ["cwd"]).map { expand($0, path + ["cwd"]) }
            transport = .stdio(
                command: expand(command, path + ["command"]), arguments: arguments,
                environment: environmentVariables, workingDirectory: cwd)
        } else if let httpURL = try optionalString(fields["httpUrl"], path + ["httpUrl"]) {
            // Gemini CLI: httpUrl is Streamable HTTP.
            displayTarget = displayURL(httpURL)
            transport = .streamableHTTP(url: try url(expand(httpURL, path + ["httpUrl"]), path + ["httpUrl"]))
        } else if let plain = try optionalString(
            fields["url"] ?? fields["serverUrl"], path + [fields["url"] != nil ? "url" : "serverUrl"])
        {
            let field = path + [fields["url"] != nil ? "url" : "serverUrl"]
            displayTarget = displayURL(plain)
            let resolved = try url(expand(plain, field), field)
            switch type {
            case nil, "http", "streamable-http", "streamablehttp", "streamable_http":
                // Without a type, negotiation falls back to HTTP+SSE by itself, which covers
                // Gemini CLI's "url means SSE" as well as Cursor's auto-detection.
                transport = .streamableHTTP(url: resolved)
            case "sse":
                transport = .legacySSE(url: resolved)
            case let other?:
                throw error(path + ["type"], "unknown transport \"\(other)\" (use http, sse or stdio)")
            }
        } else {
            throw error(path, "needs \"command\" (stdio) or \"url\" / \"httpUrl\" (HTTP)")
        }

        var headers: [(String, String)] = []
        for (header, value) in try stringMap(fields["headers"], path + ["headers"]) {
            if !HeaderField.isValidName(header) {
                throw error(path + ["headers", header], "is not a valid header name")
            }
            let expanded = expand(value, path + ["headers", header])
            if !HeaderField.isValidValue(expanded) {
                throw error(
                    path + ["headers", header], "the value must be a single line without control characters")
            }
            headers.append((header, expanded))
        }
        if !headers.isEmpty, case .stdio = transport {
            throw error(path + ["headers"], "headers apply to HTTP servers only")
        }

        var endpoint = ServerEndpoint(name: name, transport: transport, headers: headers, maxBodyBytes: maxBytes)
        if let version = try optionalString(fields["protocolVersion"], path + ["protocolVersion"]) {
            guard ProtocolVersion.all.contains(version) else {
                throw error(
                    path + ["protocolVersion"],
                    "unknown revision \"\(version)\" (known: \(ProtocolVersion.all.joined(separator: ", ")))")
            }
            endpoint.protocolVersion = version
        }
        if let timeout = fields["timeout"] {
            // Gemini CLI's `timeout`, in milliseconds.
            endpoint.requestTimeout = Double(try positiveInt(timeout, path + ["timeout"])) / 1000
        }
        if let limit = fields["maxResponseBytes"] {
            endpoint.maxBodyBytes = try positiveInt(limit, path + ["maxResponseBytes"])
        }
        let oauth = try oauthSettings(fields["oauth"], path + ["oauth"], expand: expand)
        return ConfiguredServer(
            name: name, endpoint: endpoint, displayTarget: displayTarget, oauth: oauth,
            problem: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    private static let knownOAuthKeys: Set<String> = [
        "clientId", "clientSecret", "scopes", "redirectUri", "redirectPort", "clientMetadataUrl",
        "refreshFraction", "refreshMarginSeconds", "refreshTokenLifetimeSeconds", "proactiveRefresh",
        "authorizationParams", "tokenParams", "resource", "assumePkceS256", "deviceLogin",
    ]

    /// Exactly one `${NAME}`, without a `:-` default (which would be a secret in the file).
    static func isVariableReference(_ value: String) -> Bool {
        guard value.hasPrefix("${"), value.hasSuffix("}"), value.count > 3 else { return false }
        let name = value.dropFirst(2).dropLast()
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    private func oauthSettings(
        _ value: JSONValue?, _ path: [String], expand: (String, [String]) -> String
    ) throws(ConfigError) -> OAuthSettings {
        var settings = OAuthSettings()
        guard let value, value != .null else { return settings }
        guard let fields = value.objectValue else {
            throw error(path, "must be an object, found \(value.typeName)")
        }
        for key in fields.keys where !Self.knownOAuthKeys.contains(key) {
            throw error(
                path + [key], "unknown setting (known: \(Self.knownOAuthKeys.sorted().joined(separator: ", ")))")
        }
        settings.clientID = try optionalString(fields["clientId"], path + ["clientId"]).map {
            expand($0, path + ["clientId"])
        }
        if let secret = try optionalString(fields["clientSecret"], path + ["clientSecret"]) {
            // The secret only from the environment: a file is copied, shared and backed up.
            guard Self.isVariableReference(secret) else {
                throw error(
                    path + ["clientSecret"],
                    "a client secret is read from the environment only, never from the file: write "
                        + "\"clientSecret\": \"${VAR}\" and set VAR (e.g. \"${ACME_SECRET}\")")
            }
            settings.clientSecret = expand(secret, path + ["clientSecret"])
        }
        if let scopes = fields["scopes"] {
            if let text = scopes.stringValue {
                settings.scopes = text.split(separator: " ").map(String.init)
            } else {
                settings.scopes = try stringArray(scopes, path + ["scopes"])
            }
        }
        if let redirect = try optionalString(fields["redirectUri"], path + ["redirectUri"]) {
            guard let components = URLComponents(string: redirect), components.scheme == "http",
                let host = components.host, EndpointPolicy.isLoopback(host), components.port != nil
            else {
                throw error(path + ["redirectUri"], "must be an http://127.0.0.1:PORT/… loopback URI with a port")
            }
            settings.redirectURI = redirect
        }
        if let port = fields["redirectPort"] {
            let number = try positiveInt(port, path + ["redirectPort"])
            guard number < 65536 else { throw error(path + ["redirectPort"], "must be a port number") }
            settings.redirectURI = settings.redirectURI ?? "http://127.0.0.1:\(number)/callback"
        }
        if let url = try optionalString(fields["clientMetadataUrl"], path + ["clientMetadataUrl"]) {
            guard url.lowercased().hasPrefix("https://") else {
                throw error(path + ["clientMetadataUrl"], "a client id metadata document URL must be https")
            }
            settings.clientMetadataURL = url
        }
        if let fraction = fields["refreshFraction"] {
            guard let number = fraction.doubleValue, number > 0, number < 1 else {
                throw error(path + ["refreshFraction"], "must be a number between 0 and 1")
            }
            settings.refreshFraction = number
        }
        if let margin = fields["refreshMarginSeconds"] {
            guard let number = margin.doubleValue, number >= 0 else {
                throw error(path + ["refreshMarginSeconds"], "must be a number of seconds")
            }
            settings.refreshMarginSeconds = number
        }
        if let proactive = fields["proactiveRefresh"] {
            guard let flag = proactive.boolValue else {
                throw error(path + ["proactiveRefresh"], "must be true or false")
            }
            settings.proactiveRefresh = flag
        }
        if let lifetime = fields["refreshTokenLifetimeSeconds"] {
            settings.refreshTokenLifetimeSeconds = Double(
                try positiveInt(lifetime, path + ["refreshTokenLifetimeSeconds"]))
        }
        settings.authorizationParams = try parameters(
            fields["authorizationParams"], path + ["authorizationParams"], expand: expand)
        settings.tokenParams = try parameters(fields["tokenParams"], path + ["tokenParams"], expand: expand)
        switch fields["resource"] {
        case nil, .null?, .bool(true)?: break
        case .bool(false)?: settings.resource = .omitted
        case .string(let value)?:
            settings.resource = .value(try url(expand(value, path + ["resource"]), path + ["resource"]))
        case let other?: throw error(path + ["resource"], "must be false or a URL, found \(other.typeName)")
        }
        if let device = fields["deviceLogin"] {
            guard let flag = device.boolValue else { throw error(path + ["deviceLogin"], "must be true or false") }
            settings.deviceLogin = flag
        }
        if let assume = fields["assumePkceS256"] {
            guard let flag = assume.boolValue else { throw error(path + ["assumePkceS256"], "must be true or false") }
            settings.assumePkceS256 = flag
        }
        return settings
    }

    /// An object of extra request parameters (strings), none of which mcptop sets itself.
    private func parameters(
        _ value: JSONValue?, _ path: [String], expand: (String, [String]) -> String
    ) throws(ConfigError) -> [String: String] {
        guard let value, value != .null else { return [:] }
        guard let fields = value.objectValue else {
            throw error(path, "must be an object of strings, found \(value.typeName)")
        }
        var parameters: [String: String] = [:]
        for (name, item) in fields {
            guard !OAuthSettings.protocolParameters.contains(name) else {
                throw error(path + [name], "is set by mcptop itself and cannot be overridden")
            }
            guard let text = item.stringValue else {
                throw error(path + [name], "must be a string, found \(item.typeName)")
            }
            parameters[name] = expand(text, path + [name])
        }
        return parameters
    }

    private func url(_ text: String, _ path: [String]) throws(ConfigError) -> String {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), text.count > 8,
            !text.contains(where: { $0.isWhitespace }),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw error(path, "\"\(text)\" is not an http:// or https:// URL")
        }
        return text
    }

    private func optionalString(_ value: JSONValue?, _ path: [String]) throws(ConfigError) -> String? {
        guard let value, value != .null else { return nil }
        guard let string = value.stringValue else {
            throw error(path, "must be a string, found \(value.typeName)")
        }
        return string
    }

    private func stringArray(_ value: JSONValue?, _ path: [String]) throws(ConfigError) -> [String] {
        guard let value, value != .null else { return [] }
        guard let items = value.arrayValue else {
            throw error(path, "must be an array of strings, found \(value.typeName)")
        }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard let string = item.stringValue else {
                throw error(path + [String(index)], "must be a string, found \(item.typeName)")
            }
            strings.append(string)
        }
        return strings
    }

    private func stringMap(_ value: JSONValue?, _ path: [String]) throws(ConfigError) -> [(String, String)] {
        guard let value, value != .null else { return [] }
        guard let object = value.objectValue else {
            throw error(path, "must be an object of strings, found \(value.typeName)")
        }
        var pairs: [(String, String)] = []
        for (key, item) in object {
            switch item {
            case .string(let string): pairs.append((key, string))
            case .int, .double, .bool: pairs.append((key, item.serialized()))
            default: throw error(path + [key], "must be a string, found \(item.typeName)")
            }
        }
        return pairs
    }

    private func positiveInt(_ value: JSONValue, _ path: [String]) throws(ConfigError) -> Int {
        guard let number = value.intValue, number > 0 else {
            throw error(path, "must be a positive whole number, found \(value.serialized())")
        }
        return number
    }
}
