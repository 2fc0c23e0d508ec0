import Testing

@testable import Support

@Suite struct JSONTests {
    @Test func parsesAndKeepsKeyOrder() throws {
        let value = try JSONValue.parse(#"{"b": 1, "a": [true, null, -2.5e1, "x\u00e9\ud83d\ude00"]}"#)
        #expect(value["b"] == .int(1))
        #expect(value["a"]?[2] == .double(-25))
        #expect(value["a"]?[3] == .string("xé😀"))
        #expect(value.serialized() == #"{"b":1,"a":[true,null,-25,"xé😀"]}"#)
    }

    @Test func pointersEscapeTildeAndSlash() {
        #expect(JSONPositions.pointer(["mcpServers", "a/b", "c~d", "~/"]) == "/mcpServers/a~1b/c~0d/~0~1")
        #expect(JSONPositions.pointer([]) == "")
    }

    @Test func roundTripsEscapes() throws {
        let text = "line\n\"quoted\"\t\\ \u{01} \u{2028}\u{2029}\u{7F}\u{08}\u{0C}\r é 😀 \u{E2}"
        let encoded = JSONValue.string(text).serialized()
        #expect(encoded == #""line\n\"quoted\"\t\\ \u0001 \u2028\u2029\u007f\b\f\r é 😀 â""#)
        #expect(try JSONValue.parse(encoded) == .string(text))
    }

    @Test func reportsLineAndColumnOfErrors() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("") }
        do {
            _ = try JSONValue.parse("{\n  \"a\": 1,\n  \"b\" 2\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 7)
            #expect(error.message.contains("expected ':'"))
        }
    }

    @Test(arguments: ["[1,]", "{\"a\":}", "01", "\"\\x\"", "tru", "[1] 2", "\"a\u{01}\"", "1.", "-"])
    func rejectsInvalidDocuments(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
    }

    @Test func refusesExcessiveNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(deep) }
    }

    @Test func bigIntegersStayExactAndHugeOnesBecomeDoubles() throws {
        #expect(try JSONValue.parse("9007199254740993") == .int(9_007_199_254_740_993))
        #expect(try JSONValue.parse("123456789012345678901234567890").doubleValue! > 1e29)
    }

    @Test func recordsPositionsOfValues() throws {
        let (_, positions) = try JSONValue.parseWithPositions(Array("{\n \"s\": {\"u\": 5}\n}".utf8))
        let location = try #require(positions.location(of: "/s/u"))
        #expect(location.line == 2)
        #expect(location.column == 13)
    }
}
