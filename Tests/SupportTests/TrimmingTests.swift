import Testing

@testable import Support

@Suite struct TrimmingTests {
    @Test func trimsWhitespaceAndOptionallyNewlines() {
        #expect("  a b \t".trimmed() == "a b")
        #expect("\n a \r\n".trimmed() == "a")
        #expect("\n a \n".trimmed(newlines: false) == "\n a \n")
        #expect(" \u{00A0}x\u{2003} ".trimmed(newlines: false) == "x", "no-break and em spaces are White_Space")
        #expect("   ".trimmed() == "")
        #expect("".trimmed() == "")
        #expect("é".trimmed() == "é")
        #expect(" key = value "[...].trimmed() == "key = value")
    }
}
