import ArgumentParser
import Config
import Foundation
import MCPClient
import OAuth
import Support

// The entry point maps every failure to mcptop's documented exit codes (ExitStatus.swift);
// ArgumentParser's own default for usage errors would be 64.
signal(SIGPIPE, SIG_IGN)

func fail(_ message: String, _ status: Int32) -> Never {
    Console.warn(message)
    exit(status)
}

/// `mcptop --config F tools x` and `mcptop tools x --config F` both work: global options
/// given before the subcommand are moved after it, where the subcommand parses them.
func movingGlobalOptions(_ arguments: [String]) -> [String] {
    let globalOptions: Set<String> = ["--config", "--state-dir"]
    var moved: [String] = []
    var rest: [String] = []
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
        if globalOptions.contains(name) {
            moved.append(argument)
            if !argument.contains("="), index + 1 < arguments.count {
                moved.append(arguments[index + 1])
                index += 1
            }
            index += 1
            continue
        }
        if !argument.hasPrefix("-") {
            // The subcommand: everything from here on stays in place, after it.
            return rest + [argument] + moved + arguments[(index + 1)...]
        }
        rest.append(argument)
        index += 1
    }
    return rest + moved
}

/// Calls the async `run()`; on an existential the synchronous default would be picked.
func runAsync<Command: AsyncParsableCommand>(_ command: inout Command) async throws {
    try await command.run()
}

do {
    var command = try MCPTop.parseAsRoot(movingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
    if var asyncCommand = command as? AsyncParsableCommand {
        try await runAsync(&asyncCommand)
    } else {
        try command.run()
    }
} catch let failure as CommandFailure {
    fail(failure.message, failure.status)
} catch let error as ConfigError {
    fail(error.description, ExitStatus.usage)
} catch let error as MCPError {
    fail(error.description(for: .oneShot), ExitStatus.connection)
} catch let error as OAuthError {
    fail(error.description(for: .oneShot), ExitStatus.connection)
} catch {
    let code = MCPTop.exitCode(for: error)
    if code == .success {
        MCPTop.exit(withError: error)  // --help, --version
    }
    Console.note(MCPTop.fullMessage(for: error))
    exit(ExitStatus.usage)
}
