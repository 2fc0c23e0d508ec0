import DemoServer
import Foundation
import HTTP
import MCPClient
import Monitor
import OAuth
import Testing

/// Polls `condition` in real time (bounded) while the monitor works on its own tasks.
func eventually(_ what: String, timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting for \(what)")
    return false
}

func temporaryStore() -> TokenStore {
    TokenStore(
        directory: FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-metrics-\(UUID())").path)
}

func spec(_ url: String, name: String = "demo", oauth: Bool = false) -> ServerSpec {
    ServerSpec(
        endpoint: ServerEndpoint(
            name: name, transport: .streamableHTTP(url: url), protocolVersion: "2025-11-25", connectTimeout: 2,
            requestTimeout: 5),
        usesOAuth: oauth)
}

/// A login as the token manager reports it, without a server.
func token(expiresAt: Date?, refreshCount: Int, lastRefreshAt: Date? = nil, unusable: String? = nil) -> TokenSummary {
    var credential = Credential(
        serverURL: "http://127.0.0.1:1/mcp", resource: "http://127.0.0.1:1/mcp", issuer: "http://127.0.0.1:1",
        clientID: "client", tokenEndpoint: "http://127.0.0.1:1/token", revocationEndpoint: nil,
        tokens: TokenResponse(json: ["access_token": "token-abcd", "refresh_token": "refresh"])!,
        now: Date(timeIntervalSince1970: 1_800_000_000))
    credential.expiresAt = expiresAt
    credential.refreshCount = refreshCount
    credential.lastRefreshAt = lastRefreshAt
    credential.unusableReason = unusable
    return TokenSummary(credential)
}

/// A scrape of /metrics.
struct Scrape {
    var status: Int
    var contentType: String?
    var text: String

    static func get(_ port: Int, path: String = "/metrics") async throws -> Scrape {
        let response = try await HTTPClient.shared.send(HTTPRequest(url: "http://127.0.0.1:\(port)\(path)"))
        return Scrape(status: response.status, contentType: response.headers["Content-Type"], text: response.text)
    }

    /// The value of the sample `series` (name and labels exactly as exposed), nil when absent.
    func value(_ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// Every sample line of the metric `name`.
    func samples(_ name: String) -> [Substring] {
        text.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
    }
}

/// Logs in to a DemoServer with OAuth, playing the browser in-process.
func login(_ server: DemoServer, store: TokenStore) async throws {
    var options = LoginFlow.Options()
    options.openBrowser = false
    options.timeout = .seconds(10)
    options.showURL = { url, _ in
        Task {
            var next = url
            for _ in 0..<3 {
                let response = try await HTTPClient.shared.send(HTTPRequest(url: next))
                guard let location = response.headers["Location"] else { return }
                next = location
            }
        }
    }
    _ = try await LoginFlow(serverName: "demo", serverURL: server.url, settings: OAuthSettings(), store: store)
        .run(options: options)
}
