import Foundation
import Testing

@testable import Bridge

/// Stopping a listener while connections arrive: cancelling Hummingbird's serving task left
/// connections accepted but never served, and NIO traps on those ("Deinited NIOAsyncWriter
/// without calling finish()", apple/swift-nio#3481), which killed the process: `mcptop serve`
/// on SIGTERM, or a login's redirect listener when the browser asks for a favicon.
@Suite struct LocalServerStopTests {
    @Test func stoppingWhileConnectionsArriveEndsCleanly() async throws {
        for _ in 0..<25 {
            let broker = HTTPBroker(upstreams: [:], token: "t")
            let port = try await broker.start(host: "127.0.0.1", port: 0)
            let sockets = (0..<16).map { _ in Self.connect(port: port) }
            await broker.stop()
            for socket in sockets where socket >= 0 { close(socket) }
        }
        // Still here: the process did not trap.
        #expect(Bool(true))
    }

    /// A TCP connection to the port on 127.0.0.1 that sends nothing; -1 when it failed.
    static func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            close(fd)
            return -1
        }
        return fd
    }
}
