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

    /// The servers `request` names, read now; a problem in the user's words when it names none.
    private func servers(for request: ImportRequest, reads: [ForeignConfigRead]) -> Result<[ForeignServer], Problem> {
        switch request {
        case .everything: return .success(reads.flatMap(\.servers))
        case .servers(let servers): return .success(servers)
        case .server(let token):
            guard let server = token.importCandidate(reads: reads) else {
                return .failure(
                    Problem("\(token.server): no config names it and its token store has no URL to import it by"))
            }
            return .success([server])
        }
    }

    /// A reason nothing can be imported, for the status line.
    struct Problem: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    /// The plan for `request` against mcptop's config as it is now (nothing is written).
    private func plan(for request: ImportRequest) -> Result<ImportPlan, Problem> {
        let reads = reads()
        return servers(for: request, reads: reads).flatMap { servers in
            do {
                return .success(
                    try ImportPlan.make(
                        servers: servers, failures: reads.compactMap(\.failure), configFile: locations.configFile,
                        existing: currentConfig(), force: false))
            } catch {
                return .failure(Problem("\(error)"))
            }
        }
    }

    /// The dashboard's `i`: what the import would add and skip, for the confirmation popup.
    func preview(_ request: ImportRequest) -> ImportPreview {
        var preview = ImportPreview(request: request, configFile: locations.configFile)
        switch plan(for: request) {
        case .failure(let problem): preview.problem = problem.text
        case .success(let plan):
            preview.added = plan.outcomes.filter { $0.action == .add }.map(\.server)
            preview.skipped = plan.outcomes.compactMap { outcome in
                guard case .skip(let reason) = outcome.action else { return nil }
                return "\(outcome.server.name): \(reason)"
            }
            preview.failures = plan.failures
        }
        return preview
    }

    /// The dashboard's `y` in the confirmation: imports (never replacing a server of the same
    /// name), hands the servers added, as the config now reads them, to `watch`, and says what
    /// happened in one line.
    func importServers(_ request: ImportRequest, watch: ([ServerSpec]) -> Void) -> (String, Role) {
        let plan: ImportPlan
        switch self.plan(for: request) {
        case .failure(let problem): return (problem.text, .warn)
        case .success(let made): plan = made
        }
        let added = plan.outcomes.filter { $0.action == .add }.map(\.server.name)
        guard plan.changesConfig else {
            let reasons = plan.outcomes.compactMap { outcome -> String? in
                if case .skip(let reason) = outcome.action { return "\(outcome.server.name): \(reason)" }
                return nil
            }
            return ("nothing imported: " + (reasons.first ?? "no servers"), .warn)
        }
        do {
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
