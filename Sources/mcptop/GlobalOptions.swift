import ArgumentParser
import Bridge
import Config
import Foundation
import HTTP
import MCPClient
import Monitor
import OAuth
import Support

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

    /// The config; its `caFile`, when set, verifies every server from then on.
    func loadConfiguration() throws -> Configuration {
        let configuration = try Configuration.load(locations)
        if let caFile = configuration.caFile { HTTPClient.shared.useCAFile(caFile) }
        return configuration
    }

    /// The token store, once its folder has passed `PrivateFolder`'s checks: a state folder
    /// given as a symbolic link, or owned by someone else, is refused before anything in it
    /// is read, written or chmod'ed.
    func store() throws -> TokenStore {
        let folder = locations.stateDirectory
        if let problem = PrivateFolder.problem(at: folder, children: ["credentials", "registrations"]) {
            throw CommandFailure(message: "state folder: \(problem)", status: ExitStatus.usage)
        }
        return TokenStore(directory: folder)
    }

    /// Where `proxy` and `serve` tell dashboards and `watch` about their clients.
    var bridgeFolder: String {
        BridgeActivity.folder(
            environment: ProcessInfo.processInfo.environment, stateDirectory: locations.stateDirectory)
    }

    /// The named server from the config, or a usage error that lists the configured ones.
    func configured(named name: String) throws -> (Configuration, ConfiguredServer) {
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
        return (configuration, server)
    }

    /// The named server, ready to connect with its stored login. A `timeout` bounds every
    /// step of connecting as well as each request.
    func connection(named name: String, protocolVersion: String? = nil, timeout: Double? = nil) throws
        -> MCPConnection
    {
        let (_, server) = try configured(named: name)
        var endpoint = server.endpoint
        if let timeout {
            endpoint.requestTimeout = timeout
            endpoint.connectTimeout = min(endpoint.connectTimeout, timeout)
        }
        if let protocolVersion {
            guard ProtocolVersion.all.contains(protocolVersion) else {
                throw CommandFailure(
                    message:
                        "unknown protocol revision \"\(protocolVersion)\" (known: \(ProtocolVersion.all.joined(separator: ", ")))",
                    status: ExitStatus.usage)
            }
            endpoint.protocolVersion = protocolVersion
        }
        return MCPConnection(endpoint: endpoint, authorizer: server.spec.authorizer(store: try store()))
    }
}
