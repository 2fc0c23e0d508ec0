import ArgumentParser
import Config
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add the MCP servers other clients are configured with to mcptop's config.",
        discussion: """
            Reads (never writes) the user-level files of \(ForeignClient.allCases.map(\.displayName).joined(separator: ", ")) \
            and the project-level ones of the current folder. Names already in mcptop's config are kept \
            unless --force; the previous config is copied beside it first. A malformed file is reported \
            and skipped.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .customLong("from"),
        help: ArgumentHelp(
            "Only this client (repeatable): \(ForeignClient.allCases.map(\.id).joined(separator: ", ")).",
            valueName: "client"))
    var from: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Show what would change; write nothing.")
    var dryRun = false

    @Flag(help: "Replace servers of the same name already in mcptop's config.")
    var force = false

    @Option(
        help: ArgumentHelp("The project folder for project-level files (default: the current one).", valueName: "dir"))
    var project: String?

    func validate() throws {
        for client in from where ForeignClient(rawValue: client) == nil {
            throw ValidationError(
                "--from: unknown client \"\(client)\" (known: \(ForeignClient.allCases.map(\.id).joined(separator: ", ")))"
            )
        }
    }

    func run() throws {
        let reads = ForeignConfigReader.readAll(
            environment: ProcessInfo.processInfo.environment,
            projectDirectory: project ?? FileManager.default.currentDirectoryPath,
            clients: from.compactMap(ForeignClient.init(rawValue:)))
        let configFile = global.locations.configFile
        guard !reads.isEmpty else {
            Console.out("No configuration of another MCP client found (see mcptop import --help for where it looks).")
            return
        }
        let plan = try ImportPlan.make(
            reads: reads, configFile: configFile,
            existing: FileManager.default.contents(atPath: configFile).map(Array.init),
            force: force)
        for line in ImportSummary.lines(plan, reads: reads, dryRun: dryRun) { Console.line(line) }
        guard plan.changesConfig else {
            Console.out("\(configFile) is unchanged.")
            return
        }
        if dryRun {
            Console.out("--dry-run: \(configFile) was not changed.")
            return
        }
        let backup = try plan.write()
        Console.out("Wrote \(configFile)" + (backup.map { "; the previous one is at \($0)" } ?? "") + ".")
    }
}
