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

    /// `--json` output reaches terminals too: C1 controls, bidi overrides and other format
    /// characters are escaped like C0, and the text still round-trips.
    @Test func escapesC1AndBidiControls() throws {
        let text = "\u{9B}2J \u{85} a\u{202E}b \u{2066}\u{200B}\u{FEFF}\u{AD} \u{E0001} 👩‍👩‍👧 é"
        let encoded = JSONValue.string(text).serialized()
        #expect(encoded == #""\u009b2J \u0085 a\u202eb \u2066\u200b\ufeff\u00ad \udb40\udc01 👩‍👩‍👧 é""#)
        #expect(try JSONValue.parse(encoded) == .string(text))
        #expect(!encoded.unicodeScalars.contains(where: TerminalText.isUnsafe))
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

    // MARK: Limits

    /// The parser recurses once per level: 100,000 levels from a hostile server are refused
    /// at level 513 with a message, not a crashed process (each kind of opener, closed or not,
    /// and with positions recorded).
    @Test(arguments: ["[", "{\"a\":", "[{\"\":"])
    func aHundredThousandLevelsAreRefusedCleanly(_ opener: String) {
        let open = String(repeating: opener, count: 100_000)
        let closers = String(opener.reversed().compactMap { $0 == "[" ? "]" : $0 == "{" ? "}" : nil })
        for text in [open, open + "1" + String(repeating: closers, count: 100_000)] {
            let bytes = Array(text.utf8)
            for parse in [{ try JSONValue.parse(bytes) }, { try JSONValue.parseWithPositions(bytes).0 }] {
                do {
                    _ = try parse()
                    Issue.record("accepted \(bytes.count) bytes of nesting")
                } catch let error as JSONSyntaxError {
                    #expect(error.message == "nesting deeper than 512 levels")
                    // At the 513th opener: where the limit was passed, not the end of the input.
                    #expect(error.offset == (opener == "[{\"\":" ? 256 * opener.utf8.count : 512 * opener.utf8.count))
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
        }
    }

    @Test func nestingIsReadUpToTheLimitAndTheLimitCanBeLowered() throws {
        func arrays(_ depth: Int) -> String {
            String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        }
        #expect(try JSONValue.parse(arrays(512)).arrayValue?.count == 1)
        #expect(try JSONValue.parseWithPositions(Array(arrays(512).utf8)).0 == JSONValue.parse(arrays(512)))
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(arrays(513)) }
        #expect(try JSONValue.parse(arrays(3), maxDepth: 3) == [[[]]])
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(arrays(4), maxDepth: 3) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(#"{"a":{"b":{"c":{}}}}"#, maxDepth: 3) }
        #expect(try JSONValue.parse("7", maxDepth: 0) == 7, "a scalar has no depth")
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("[]", maxDepth: 0) }
    }

    /// The parser sets no size limit of its own: a message is bounded before it gets here
    /// (`maxResponseBytes`, 64 MiB by default, in the transports). Large strings and arrays,
    /// plain and escaped, are read whole and exactly.
    @Test func largeDocumentsAreReadWhole() throws {
        let plain = String(repeating: "abcdefé😀", count: 500_000)  // 6 MB of UTF-8
        #expect(try JSONValue.parse("\"" + plain + "\"") == .string(plain))
        let escaped = String(repeating: #"\u00e9\n\ud83d\ude00"#, count: 50_000)
        let expected = String(repeating: "é\n😀", count: 50_000)
        #expect(try JSONValue.parse("[\"" + escaped + "\"]") == [.string(expected)])
        let count = 200_000
        let numbers = "[" + (0..<count).map(String.init).joined(separator: ",") + "]"
        let array = try #require(try JSONValue.parse(numbers).arrayValue)
        #expect(array.count == count)
        #expect(array.last == .int(Int64(count - 1)))
        let members = "{" + (0..<50_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        let object = try #require(try JSONValue.parse(members).objectValue)
        #expect(object.count == 50_000)
        #expect(object["k49999"] == 49_999)
    }

    // MARK: Surrogates and numbers

    /// A surrogate escape that is not half of a pair is U+FFFD, and what follows it is read on
    /// its own. "\uD800\u0041" was refused ("invalid surrogate pair") while "\uD800A" was read.
    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try JSONValue.parse(#""\uD800\u0041""#) == "\u{FFFD}A")
        #expect(try JSONValue.parse(#""\uD800A""#) == "\u{FFFD}A")
        #expect(try JSONValue.parse(#""\uD800\uD800\uDC00""#) == "\u{FFFD}\u{10000}")
        #expect(try JSONValue.parse(#""\uDC00\uD800""#) == "\u{FFFD}\u{FFFD}")
        #expect(try JSONValue.parse(#""\uD83D\uDE00""#) == "😀")
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(#""\uD800\u12""#) }
    }

    /// Past Double's range a number is infinity (Foundation refuses the document): one absurd
    /// field must not cost a whole token response (AbsurdNumbersTests); it is written back as
    /// null. Below the range it is 0.
    @Test func numbersBeyondDoubleAreInfiniteAndTinyOnesAreZero() throws {
        #expect(try JSONValue.parse("1e400") == .double(.infinity))
        #expect(try JSONValue.parse("[-1.5e+9999]") == [.double(-.infinity)])
        #expect(try JSONValue.parse("[1e400]").serialized() == "[null]")
        #expect(try JSONValue.parse("1e-400") == .double(0))
        #expect(try JSONValue.parse("1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(try JSONValue.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONValue.parse("9223372036854775808") == .double(9_223_372_036_854_775_808.0))
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
