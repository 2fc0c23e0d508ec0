// libFuzzer target `config`: configuration files in every dialect the Config target reads:
// mcptop's own `mcpServers` JSON (with `${VAR}` expansion), and other clients' files for
// `mcptop import` (Claude Desktop/Cursor/Gemini `mcpServers`, Claude Code's state file, VS
// Code's mcp.json and settings.json, Zed, opencode, Codex's TOML). The first byte chooses the
// dialect; the rest is the file. No crash; every problem names the file; an entry that import
// would write is one mcptop reads back.
import Config
import Support

let environment = ["HOME": "/home/fuzz", "API_TOKEN": "t0ken", "EMPTY": "", "HOST": "mcp.example.com"]
let dialects: [(ForeignClient, ForeignConfigFile.Dialect)] = [
    (.claudeDesktop, .mcpServers), (.claudeCode, .claudeCodeState(project: "/home/fuzz/project")),
    (.vscode, .vscodeMCP), (.vscode, .vscodeSettings), (.zed, .zed), (.opencode, .opencode), (.codex, .codexTOML),
]
let ownFile = "/home/fuzz/.config/mcptop/config.json"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let choice = Int(data[0]) % (dialects.count + 1)
    guard choice < dialects.count else {
        readOwn(bytes)
        return 0
    }
    let (client, dialect) = dialects[choice]
    let file = ForeignConfigFile(client: client, path: "/home/fuzz/\(client.id).cfg", scope: .user, dialect: dialect)
    let read = ForeignConfigReader.parse(bytes, file: file, environment: environment)
    if let failure = read.failure, !failure.hasPrefix(file.path) { fatalError("a failure without its file") }
    for server in read.servers {
        guard let entry = server.entry else {
            if server.problem == nil { fatalError("a server neither imported nor explained") }
            continue
        }
        // What `mcptop import` would write, read back by mcptop.
        var servers: JSONValue = [:]
        servers[server.name] = entry
        let written: JSONValue = ["mcpServers": servers]
        do {
            _ = try Configuration.parse(written.serializedBytes(), file: ownFile, environment: environment)
        } catch {
            fatalError("an imported entry mcptop cannot read back: \(error.message)")
        }
    }
    return 0
}

func readOwn(_ bytes: [UInt8]) {
    do {
        let configuration = try Configuration.parse(bytes, file: ownFile, environment: environment)
        for server in configuration.servers {
            _ = (server.displayTarget, server.hasStaticAuthorization, server.problem)
        }
    } catch {
        if error.file != ownFile || !error.description.hasPrefix(ownFile) { fatalError("a problem without its file") }
    }
}
