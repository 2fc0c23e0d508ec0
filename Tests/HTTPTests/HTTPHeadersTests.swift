import Testing

@testable import HTTP

@Suite struct HTTPHeadersTests {
    @Test func namesCompareWithASCIICaseFoldingOnly() {
        let headers = HTTPHeaders([("Content-Type", "a"), ("WWW-Authenticate", "b"), ("www-authenticate", "c")])
        #expect(headers["content-type"] == "a")
        #expect(headers["CONTENT-TYPE"] == "a")
        #expect(headers.values("Www-Authenticate") == ["b", "c"])
        #expect(headers["Content-Typ"] == nil)
        // Only letters fold: '[' and '{' differ by the same bit as 'A' and 'a'.
        #expect(!HTTPHeaders.sameName("x[", "x{"))
        #expect(!HTTPHeaders.sameName("@", "`"))
    }

    @Test func mediaTypeDropsParametersWhitespaceAndCase() {
        let head = { (value: String) in HTTPResponseHead(status: 200, headers: HTTPHeaders([("Content-Type", value)])) }
        #expect(head(" Text/Event-Stream ; charset=utf-8").mediaType == "text/event-stream")
        #expect(head("application/json").mediaType == "application/json")
        #expect(head("\t").mediaType == "")
        #expect(HTTPResponseHead(status: 200, headers: HTTPHeaders()).mediaType == nil)
    }

    @Test func whitespaceTrimmingKeepsInnerSpaces() {
        #expect(Array(trimmingWhitespace(Array(" \ta b\t ".utf8))) == Array("a b".utf8))
        #expect(trimmingWhitespace(Array("   ".utf8)).isEmpty)
        #expect(trimmingWhitespace([UInt8]()).isEmpty)
    }
}
