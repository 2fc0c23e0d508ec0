import ArgumentParser
import Foundation
import MCPClient
import OAuth
import Support

struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a tool and print its result.",
        discussion: """
            Progress goes to stderr. Ctrl-C cancels the call on the server and exits 130 (SIGTERM: 143), \
            also while connecting; should the server not let go, mcptop exits a second later anyway.
            Exit status: 0 ok, 1 usage or config error, 2 connection/protocol/auth error, 3 the tool reported an error.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The server's name in the config.")
    var server: String

    @Argument(help: "The tool's name.")
    var tool: String

    @Option(help: ArgumentHelp("Arguments as a JSON object.", valueName: "json"))
    var args: String?

    @Option(
        name: .customLong("args-file"),
        help: ArgumentHelp("Read the arguments from a JSON file (- for stdin).", valueName: "file"))
    var argsFile: String?

    @Option(
        help: ArgumentHelp(
            "Seconds to wait for the result, and for each step of connecting (default: the server's timeout, 60).",
            valueName: "seconds"))
    var timeout: Double?

    @Option(
        name: .customLong("protocol"),
        help: ArgumentHelp("Use this protocol revision instead of negotiating.", valueName: "version"))
    var protocolVersion: String?

    @Flag(help: "Print the whole result as JSON.")
    var json = false

    @Option(
        name: .customLong("repeat"),
        help: ArgumentHelp("Call the tool this many times on one connection.", valueName: "n"))
    var repeatCount = 1

    @Option(help: ArgumentHelp("Seconds between repeated calls.", valueName: "seconds"))
    var interval: Double = 1

    func validate() throws {
        if args != nil && argsFile != nil {
            throw ValidationError("give --args or --args-file, not both")
        }
        if repeatCount < 1 { throw ValidationError("--repeat must be at least 1") }
        try SecondsOption.validate(interval, option: "--interval", allowZero: true)
        if let timeout { try SecondsOption.validate(timeout, option: "--timeout") }
    }

    func run() async throws {
        let arguments = try readArguments()
        let connection = try global.connection(named: server, protocolVersion: protocolVersion, timeout: timeout)
        let toolName = tool
        let (count, pause, asJSON, serverName) = (repeatCount, interval, json, server)
        // The calls run on one connection, as a long-lived client would make them: tokens are
        // refreshed and sessions renewed in between. Connecting is part of the task, so a
        // signal while connecting cancels that too. `--timeout` bounds a token refresh as well.
        let call = OAuthPatience.$seconds.withValue(timeout) {
            Task { () throws(MCPError) -> ToolResult? in
                for index in 1...count {
                    let result = try await connection.callTool(toolName, arguments: arguments, timeout: timeout) {
                        progress in Console.progress(progress)
                    }
                    if asJSON {
                        Console.out(count == 1 ? result.raw.prettyPrinted() : result.raw.serialized())
                    } else {
                        for line in result.summaryLines { Console.out(line) }
                    }
                    if result.isError || index == count { return result }
                    do {
                        try await Task.sleep(for: BoundedSeconds.duration(pause))
                    } catch {
                        throw MCPError(server: serverName, .cancelled)
                    }
                }
                return nil
            }
        }
        let interruption = Interruption { call.cancel() }
        let outcome = await call.result
        await connection.close()  // still under the interruption's deadline
        interruption.finish()
        if let status = interruption.exitStatus {
            throw CommandFailure(message: "\(server): call to \(toolName) cancelled", status: status)
        }
        if let result = try outcome.get(), result.isError {
            throw CommandFailure(message: "\(server): tool \(toolName) reported an error", status: ExitStatus.toolError)
        }
    }

    private func readArguments() throws -> JSONValue? {
        let source: String
        let text: String
        if let args {
            source = "--args"
            text = args
        } else if let argsFile {
            source = argsFile == "-" ? "stdin" : argsFile
            let data =
                argsFile == "-"
                ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: argsFile)
            guard let data else {
                throw CommandFailure(message: "\(argsFile): cannot read the file", status: ExitStatus.usage)
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            return nil
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw CommandFailure(message: "\(source): \(error)", status: ExitStatus.usage)
        }
        guard case .object = value else {
            throw CommandFailure(
                message: "\(source): the arguments must be a JSON object, not \(value.typeName)",
                status: ExitStatus.usage)
        }
        return value
    }
}
