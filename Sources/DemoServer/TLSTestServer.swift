import Foundation

/// A Python HTTPS endpoint on 127.0.0.1 with a certificate made by openssl, self-signed or
/// signed by a test CA of its own (whose certificate is ``caFile``): a file server, or a TLS
/// front for a plain-HTTP server on another port (`forwardingTo`, integration/e2e/proxy_peers.py).
/// For tests only, from a checkout (python3 and openssl, as the TLS tests already need).
public final class TLSTestServer: @unchecked Sendable {  // immutable once started
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let folder: URL
    let process = Process()
    public let port: Int

    public var caFile: String { folder.appendingPathComponent("ca.pem").path }

    /// Starts one on a thread of its own: making the certificates and waiting for python to
    /// listen block for a second or more, which must not hold a thread of the cooperative pool
    /// (two on a two-core machine) that every other test running beside this one needs.
    public static func start(signedByTestCA: Bool, forwardingTo target: Int? = nil) async throws -> TLSTestServer {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result { try TLSTestServer(signedByTestCA: signedByTestCA, forwardingTo: target) })
            }.start()
        }
    }

    /// Keys are P-256: made in a millisecond, where each RSA key took a core for up to half a
    /// second, beside every other test of the suite.
    private init(signedByTestCA: Bool, forwardingTo target: Int?) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-tls-\(UUID().uuidString)")
        self.folder = folder
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if signedByTestCA {
            try Self.openssl(
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=mcptop test CA",
                "-keyout", path("ca-key.pem"), "-out", path("ca.pem"))
            try Self.openssl(
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", path("key.pem"),
                "-out", path("leaf.csr"))
            try "subjectAltName=IP:127.0.0.1\n".write(toFile: path("san.ext"), atomically: true, encoding: .utf8)
            try Self.openssl(
                "x509", "-req", "-in", path("leaf.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca-key.pem"),
                "-CAcreateserial", "-days", "1", "-extfile", path("san.ext"), "-out", path("cert.pem"))
        } else {
            try Self.openssl(
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-keyout",
                path("key.pem"), "-out", path("cert.pem"))
        }
        let fileServer = """
            import http.server, ssl, sys
            server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1], sys.argv[2])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3"] + (target == nil ? ["-c", fileServer] : [Self.peers, "tls-front"])
            + [path("cert.pem"), path("key.pem")] + (target.map { [String($0)] } ?? [])
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw Failure(description: "the TLS test server did not start")
        }
        self.port = port
    }

    /// The TLS front (TLS in, plain bytes to 127.0.0.1:PORT, a thread pair per connection),
    /// shared with integration/e2e/proxy.sh. Tests run from a checkout, where it is.
    static let peers = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../integration/e2e/proxy_peers.py").standardized.path

    public var url: String { "https://127.0.0.1:\(port)/" }

    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        Self.waitForExit(process)
        try? FileManager.default.removeItem(at: folder)
    }

    /// Not `waitUntilExit()`, which spins the calling thread's run loop on Linux.
    private static func waitForExit(_ process: Process) {
        while process.isRunning { usleep(5_000) }
    }

    private static func openssl(_ arguments: String...) throws {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl"] + arguments
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        waitForExit(openssl)
        guard openssl.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.first ?? "") failed")
        }
    }
}
