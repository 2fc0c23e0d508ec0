import DemoServer
import Foundation
import HTTP
import Testing

/// TLS verification is always on: a server with a self-signed certificate is refused with a
/// TLS error, never silently accepted; a certificate from a CA of one's own is accepted only
/// with that CA as `caFile` (a corporate CA), and its refusal says what to set.
@Suite struct TLSVerificationTests {
    @Test func selfSignedCertificateIsRefused() async throws {
        let server = try await TLSTestServer.start(signedByTestCA: false)
        defer { server.stop() }
        await #expect {
            try await HTTPClient.shared.send(HTTPRequest(url: server.url, label: "tls"))
        } throws: { error in
            guard let error = error as? HTTPError else { return false }
            return error.kind == .tls && error.description.hasPrefix("tls: TLS failure with https://127.0.0.1:")
        }
    }

    @Test func aCertificateFromAnUnknownAuthorityNamesTheHostAndCAFileAndTheCAFileAcceptsIt() async throws {
        let server = try await TLSTestServer.start(signedByTestCA: true)
        defer { server.stop() }
        await #expect {
            try await HTTPClient().send(HTTPRequest(url: server.url, label: "corp"))
        } throws: { error in
            "\(error)".contains("the certificate for 127.0.0.1 is signed by an unknown authority")
                && "\(error)".contains(#""mcptop": {"caFile": "/path/to/ca.pem"}"#)
        }
        let response = try await HTTPClient(caFile: server.caFile).send(HTTPRequest(url: server.url, label: "corp"))
        #expect(response.status == 200)
        let client = HTTPClient()
        client.useCAFile(server.caFile)
        #expect(try await client.send(HTTPRequest(url: server.url)).status == 200)
    }

    @Test func theCAFileComesFromSSLCertFileThenCurlCABundle() {
        #expect(HTTPClient.caFileFromEnvironment(["SSL_CERT_FILE": "/a.pem", "CURL_CA_BUNDLE": "/b.pem"]) == "/a.pem")
        #expect(HTTPClient.caFileFromEnvironment(["SSL_CERT_FILE": "", "CURL_CA_BUNDLE": "/b.pem"]) == "/b.pem")
        #expect(HTTPClient.caFileFromEnvironment([:]) == nil)
    }
}
