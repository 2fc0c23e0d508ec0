import ArgumentParser
import Config
import MCPClient

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Config file (default: $MCPTOP_CONFIG, else $XDG_CONFIG_HOME/mcptop/config.json).", valueName: "file"))
    var config: String?

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "Folder for tokens and registrations (default: $MCPTOP_STATE_DIR, else $XDG_STATE_HOME/mcptop).",
            valueName: "dir"))
    var stateDir: String?

    var locations: ConfigLocations {
        ConfigLocations.resolve(configFlag: config, stateDirFlag: stateDir)
    }

    func loadConfiguration() throws -> Configuration {
        try Configuration.load(locations)
    }

    /// The named server, ready to connect, or a usage error that lists the configured ones.
    func server(named name: String, protocolVersion: String? = nil) throws -> ServerEndpoint {
        let configuration = try loadConfiguration()
        guard let server = configuration.server(named: name) else {
            let known = configuration.servers.map(\.name)
            let hint =
                known.isEmpty
                ? "no servers are configured in \(configuration.file)"
                : "configured: \(known.joined(separator: ", "))"
            throw CommandFailure(message: "unknown server \"\(name)\" (\(hint))", status: ExitStatus.usage)
        }
        if let problem = server.problem {
            throw CommandFailure(message: "\(configuration.file): \(name): \(problem)", status: ExitStatus.usage)
        }
        var endpoint = server.endpoint
        if let protocolVersion {
            guard ProtocolVersion.all.contains(protocolVersion) else {
                throw CommandFailure(
                    message:
                        "unknown protocol revision \"\(protocolVersion)\" (known: \(ProtocolVersion.all.joined(separator: ", ")))",
                    status: ExitStatus.usage)
            }
            endpoint.protocolVersion = protocolVersion
        }
        return endpoint
    }
}
