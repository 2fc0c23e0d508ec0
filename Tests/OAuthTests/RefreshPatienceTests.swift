import Foundation
import OAuth
import Testing

/// A command's `--timeout` bounds a refresh: a token endpoint that accepts the connection and
/// never answers fails the refresh after that limit, not the endpoint's own 30 s, and says so
/// once (`mcptop call --timeout 4` used to take 30 s and repeat the server and the advice).
@Suite struct RefreshPatienceTests {
    @Test func aCommandsTimeoutBoundsTheRefreshAndTheMessageSaysItOnce() async throws {
        let silent = try SilentListener()
        defer { silent.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-\(UUID())").path
        let store = TokenStore(directory: directory)
        let clock = TestClock()
        let base = "http://127.0.0.1:\(silent.port)"
        _ = try await store.saveLogin(
            Credential(
                serverURL: "\(base)/mcp", resource: "\(base)/mcp", issuer: base, clientID: "client",
                tokenEndpoint: "\(base)/token", revocationEndpoint: nil,
                tokens: try #require(
                    TokenResponseFixture.make(access: "access-0", refresh: "refresh-0", expiresIn: 10)),
                now: clock.now))
        clock.advance(20)
        let manager = TokenManager(serverName: "demo", serverURL: "\(base)/mcp", store: store, now: { clock.now })
        let started = ContinuousClock.now
        let failure = await OAuthPatience.$seconds.withValue(1) {
            do {
                _ = try await manager.accessToken()
                return nil as OAuthError?
            } catch {
                return error as? OAuthError
            }
        }
        let waited = ContinuousClock.now - started
        let error = try #require(failure)
        #expect(error.isTransient)
        #expect(waited < .seconds(10), "bounded by the command's 1 s, not the endpoint's 30 s (took \(waited))")
        let text = error.description
        #expect(text.hasPrefix("demo: refresh: timed out talking to \(base)/token"), "\(text)")
        #expect(text.components(separatedBy: "demo:").count == 2, "the server is named once: \(text)")
        #expect(text.components(separatedBy: "nothing was deleted").count == 2, "the advice is given once: \(text)")
        #expect(try store.loadCredential(serverURL: "\(base)/mcp")?.refreshToken == "refresh-0")
    }
}

/// A loopback port that completes TCP handshakes (the kernel's backlog) and never reads or
/// answers: a server that hangs.
final class SilentListener: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func stop() { close(descriptor) }
}
