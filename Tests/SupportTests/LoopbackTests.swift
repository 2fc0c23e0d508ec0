import Support
import Testing

@Suite struct LoopbackTests {
    @Test func loopbackIsAnAddressNotAPrefix() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1"] {
            #expect(Loopback.isHost(host), "\(host)")
        }
        for host in [
            "127.0.0.1.evil.invalid", "127.evil.invalid", "localhost.evil.invalid", "128.0.0.1", "::2", "[::ffff:1]",
            "1.2.3.4", "", "127.0.0.256", "example.com",
        ] {
            #expect(!Loopback.isHost(host), "\(host)")
        }
    }
}
