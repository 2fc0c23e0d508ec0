import Foundation
import MCPClient
import Monitor
import Support
import Synchronization
import Testing

/// A TCP port that accepts connections and never reads or answers: a server stuck for good.
final class BlackHole: Sendable {
    let port: Int
    private let fd: Int32
    private let accepted = Mutex<[Int32]>([])

    /// Connections accepted so far.
    var connections: Int { accepted.withLock { $0.count } }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                accepted.withLock { $0.append(client) }
            }
        }
        thread.start()
    }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        _ = Glibc.close(fd)
        for client in accepted.withLock({ $0 }) { _ = Glibc.close(client) }
    }
}

@Suite struct MonitorStopTests {
    /// `watch --duration 5` ran for 11 minutes: stopping waited for a supervisor whose connect
    /// could not be cancelled (issue 12). Cancellation now reaches the connect.
    @Test func stopEndsSupervisorsStuckInAConnectAtOnce() async throws {
        let hole = try BlackHole()
        defer { hole.close() }
        let endpoint = ServerEndpoint(
            name: "stuck", transport: .streamableHTTP(url: "http://127.0.0.1:\(hole.port)/mcp"), connectTimeout: 60,
            requestTimeout: 60)
        let monitor = Monitor(specs: [ServerSpec(endpoint: endpoint, usesOAuth: false)], store: temporaryStore())
        monitor.start()
        let connecting = await eventually("the supervisor to be connecting") {
            await monitor.snapshots().first?.state.phase == .connecting && hole.connections > 0
        }
        #expect(connecting)
        let started = ContinuousClock.now
        let stopping = Task { await monitor.stop(grace: .seconds(30)) }
        let stopped = await withCheckedContinuation { (continuation: CheckedContinuation<Bool?, Never>) in
            let pending = Mutex<CheckedContinuation<Bool?, Never>?>(continuation)
            let finish: @Sendable (Bool?) -> Void = { value in
                pending.withLock { waiting in
                    defer { waiting = nil }
                    return waiting
                }?.resume(returning: value)
            }
            _ = Deadlines.shared.schedule(after: 10) { finish(nil) }
            Task { finish(await stopping.value) }
        }
        #expect(stopped == true, "stop() did not end within 10 s, or left a supervisor behind")
        #expect(ContinuousClock.now - started < .seconds(5), "cancellation, not the 30 s grace, ended it")
    }
}
