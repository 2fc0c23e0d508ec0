import Config
import Dashboard
import Foundation
import Monitor

/// Reads other clients' configs and token stores for `status --others` and the dashboard, and
/// runs the dashboard's `i`. Every file of theirs is only read.
struct OtherClientsLoader: Sendable {
    var locations: ConfigLocations
    var environment: [String: String]
    var projectDirectory: String

    func reads() -> [ForeignConfigRead] {
        ForeignConfigReader.readAll(environment: environment, projectDirectory: projectDirectory)
    }

    func currentConfig() -> [UInt8]? {
        FileManager.default.contents(atPath: locations.configFile).map(Array.init)
    }

    /// The token board; the configs' URLs name mcp-remote's hashed files.
    func board(reads: [ForeignConfigRead]) -> OtherTokenBoard {
        let own = (try? Configuration.load(locations, environment: environment))?.servers.compactMap(\.httpURL) ?? []
        return OtherTokenReader.read(environment: environment, knownURLs: own + OtherTokenReader.knownURLs(in: reads))
    }

    /// The board and the servers `i` would add, for the dashboard.
    func load() -> OtherClients {
        let reads = reads()
        let plan = try? ImportPlan.make(
            reads: reads, configFile: locations.configFile, existing: currentConfig(), force: false)
        return OtherClients(
            board: board(reads: reads), importable: plan?.outcomes.filter { $0.action == .add }.map(\.server) ?? [])
    }

    /// The dashboard's `i`: imports (never replacing a server of the same name), hands the
    /// servers added, as the config now reads them, to `watch`, and says what happened in one line.
    func importServers(_ request: ImportRequest, watch: ([ServerSpec]) -> Void) -> (String, Role) {
        let reads = reads()
        let servers: [ForeignServer]
        switch request {
        case .everything: servers = reads.flatMap(\.servers)
        case .server(let token):
            guard let server = token.importCandidate(reads: reads) else {
                return ("\(token.server): no config names it and its token store has no URL to import it by", .warn)
            }
            servers = [server]
        }
        do {
            let plan = try ImportPlan.make(
                servers: servers, failures: reads.compactMap(\.failure), configFile: locations.configFile,
                existing: currentConfig(), force: false)
            let added = plan.outcomes.filter { $0.action == .add }.map(\.server.name)
            guard plan.changesConfig else {
                let reasons = plan.outcomes.compactMap { outcome -> String? in
                    if case .skip(let reason) = outcome.action { return "\(outcome.server.name): \(reason)" }
                    return nil
                }
                return ("nothing imported: " + (reasons.first ?? "no servers"), .warn)
            }
            _ = try plan.write()
            let what = added.count <= 3 ? added.joined(separator: ", ") : "\(added.count) servers"
            // Read back as any start would read it (${VAR}s, the config's own checks).
            let configuration = try Configuration.load(locations, environment: environment)
            watch(configuration.servers.filter { added.contains($0.name) }.map(\.spec))
            return (
                "imported \(what) into \(locations.configFile); watching " + (added.count == 1 ? "it" : "them"), .ok
            )
        } catch {
            return ("import failed: \(error)", .error)
        }
    }
}
