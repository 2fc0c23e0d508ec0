import MCPClient
import Testing

@Suite struct SSEParserTests {
    func parseAll(_ text: String) -> [SSEEvent] {
        var parser = SSEParser()
        return parser.feed(Array(text.utf8))
    }

    @Test func joinsMultiLineDataAndReadsFields() {
        let events = parseAll("event: message\nid: 7\nretry: 1500\ndata: {\"a\":\ndata: 1}\n\n")
        #expect(events == [SSEEvent(type: "message", data: "{\"a\":\n1}", id: "7", retry: 1500)])
    }

    @Test func ignoresCommentsAndEventsWithoutData() {
        let events = parseAll(": keep-alive\n\nevent: ping\n\ndata: x\n\n")
        #expect(events.map(\.data) == ["x"])
        #expect(events[0].type == "message")
    }

    @Test(arguments: ["\r\n", "\r", "\n"])
    func acceptsEveryLineEnding(_ newline: String) {
        let events = parseAll("data: a\(newline)data: b\(newline)\(newline)data: c\(newline)\(newline)")
        #expect(events.map(\.data) == ["a\nb", "c"])
    }

    @Test func stripsOneLeadingBOMOnly() {
        let events = parseAll("\u{FEFF}data: x\n\n")
        #expect(events.map(\.data) == ["x"])
    }

    @Test func fieldWithoutColonAndSpaceRules() {
        let events = parseAll("data\n\ndata:no-space\n\ndata:  two\n\n")
        #expect(events.map(\.data) == ["", "no-space", " two"])
    }

    @Test func chunksSplitAnywhereGiveTheSameEvents() {
        let text = "\u{FEFF}event: message\r\ndata: {\"t\":\"日本🟢\"}\r\nid: 1\r\n\r\n: c\r\ndata: second\r\r"
        let whole = parseAll(text)
        #expect(whole.count == 2)
        let bytes = Array(text.utf8)
        for split in 1..<bytes.count {
            var parser = SSEParser()
            var events = parser.feed(bytes[..<split])
            events += parser.feed(bytes[split...])
            #expect(events == whole, "split at \(split)")
        }
        // One byte at a time, too.
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for byte in bytes { events += parser.feed([byte]) }
        #expect(events == whole)
    }

    @Test func unterminatedEventIsDiscardedAtEnd() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: partial\n".utf8)).isEmpty)
        #expect(parser.finish().isEmpty)
    }

    @Test func idPersistsAndRetryNeedsDigits() {
        let events = parseAll("id: 5\ndata: a\n\nretry: soon\ndata: b\n\n")
        #expect(events.map(\.id) == ["5", "5"])
        #expect(events[1].retry == nil)
    }
}
