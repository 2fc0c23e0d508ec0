import ArgumentParser
import Foundation
import MCPClient
import OAuth
import Support

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Log in to a server in the browser (OAuth with PKCE) and store the tokens.",
        discussion: """
            Opens $BROWSER (else xdg-open) on the authorization page; the URL is printed too, to copy \
            into a browser elsewhere (e.g. over SSH). The browser comes back to a one-shot listener on \
            127.0.0.1. With --no-browser, when the browser runs elsewhere and cannot reach that \
            listener, paste the address it ended on (it starts with the redirect URI) and press Enter; \
            its state and issuer are checked as for the browser. Ctrl-C gives up the login and exits \
            130 (SIGTERM: 143); what was stored stays.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The server's name in the config.")
    var server: String

    @Flag(
        name: .customLong("no-browser"),
        help: "Only print the URL, do not open a browser; accept the final redirect address pasted back.")
    var noBrowser = false

    @Flag(
        name: .customLong("device"),
        help: "Log in with a code entered on another device (RFC 8628), where the server offers it.")
    var device = false

    @Option(
        name: .customLong("scope"), help: ArgumentHelp("Ask for this scope as well (repeatable).", valueName: "scope"))
    var scopes: [String] = []

    @Option(help: ArgumentHelp("Seconds to wait for the browser.", valueName: "seconds"))
    var timeout: Double = 300

    func validate() throws {
        try SecondsOption.validate(timeout, option: "--timeout")
    }

    func run() async throws {
        let (_, configured) = try global.configured(named: server)
        guard let url = configured.httpURL else {
            throw CommandFailure(message: "\(server) is a stdio server; it needs no login", status: ExitStatus.usage)
        }
        if configured.hasStaticAuthorization {
            throw CommandFailure(
                message: "\(server) has an Authorization header in the config; remove it to use OAuth",
                status: ExitStatus.usage)
        }
        let flow = LoginFlow(
            serverName: server, serverURL: url, settings: configured.oauth, store: try global.store(),
            onStep: { step in Console.note("\(step)") })
        var options = LoginFlow.Options()
        options.openBrowser = !noBrowser
        options.extraScopes = scopes
        options.timeout = BoundedSeconds.duration(timeout)
        let paste = noBrowser
        options.showURL = { url, _ in
            Console.note("Open this URL to log in to \(server):\n\n  \(TerminalText.sanitized("\(url)"))\n")
            if paste {
                Console.note(
                    "If the browser cannot come back to this machine, paste the address it ended on here "
                        + "and press Enter.")
            }
        }
        if noBrowser {
            let lines = PastedLines()
            options.pastedRedirect = { await lines.next() }
        }
        let useDevice = device
        let name = server
        let login = Task { () throws(OAuthError) -> Credential in
            guard useDevice else { return try await flow.run(options: options) }
            return try await flow.runDevice(options: options) { prompt in
                var text = "To log in to \(name), open \(prompt.verificationURI) on any device and enter the code\n\n"
                text += "  \(prompt.userCode)\n"
                if let complete = prompt.verificationURIComplete { text += "\n(or open \(complete))\n" }
                Console.note(text)
                if let code = QRCode.address(prompt.verificationURIComplete ?? prompt.verificationURI) {
                    Console.qr(code)
                }
            }
        }
        let interruption = Interruption { login.cancel() }
        let outcome = await login.result
        interruption.finish()
        if let status = interruption.exitStatus {
            throw CommandFailure(message: "\(server): login cancelled", status: status)
        }
        let credential = try outcome.get()
        Console.line("Logged in to \(server).")
        for line in StatusCommand.describe(credential, now: Date()) { Console.line("  " + line) }
    }
}

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Revoke the server's tokens (RFC 7009, when it offers revocation) and forget them.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The server's name in the config.")
    var server: String

    func run() async throws {
        let (_, configured) = try global.configured(named: server)
        guard let url = configured.httpURL else {
            throw CommandFailure(message: "\(server) is a stdio server; it has no login", status: ExitStatus.usage)
        }
        let manager = TokenManager(
            serverName: server, serverURL: url, store: try global.store(), settings: configured.oauth)
        guard try await manager.current() != nil else {
            Console.line("\(server): no login stored.")
            return
        }
        let outcome = await Logout(manager: manager, store: try global.store()).run()
        Console.line("\(server): \(outcome)")
    }
}
