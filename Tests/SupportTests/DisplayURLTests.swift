import Testing

@testable import Support

/// What a server's URL looks like on screens, in listings and in errors.
@Suite struct DisplayURLTests {
    @Test func aPasswordIsMaskedAndTheUserKept() {
        #expect(displayURL("http://bob:PASSWORD777@127.0.0.1:1/mcp") == "http://bob:***@127.0.0.1:1/mcp")
        #expect(displayURL("https://bob:p%40ss@host/mcp?key=1") == "https://bob:***@host/mcp")
        #expect(displayURL("https://a:b@c@host") == "https://a:***@host")
    }

    @Test func aURLWithoutAPasswordIsShownAsItIs() {
        #expect(displayURL("https://bob@host/mcp") == "https://bob@host/mcp")
        #expect(displayURL("https://host:8443/mcp/a@b") == "https://host:8443/mcp/a@b")
        #expect(displayURL("https://host/mcp?user=a:b@c") == "https://host/mcp")
    }

    @Test func theQueryAndFragmentAreDropped() {
        #expect(displayURL("https://host/mcp?api_key=SECRET#frag") == "https://host/mcp")
    }
}
