import Foundation
import Testing

@testable import Support

/// Our parser against Foundation's JSONSerialization on random documents, valid and broken:
/// both must accept and refuse alike and read the same values, apart from the differences
/// FoundationJSON documents: a lone surrogate escape we read as U+FFFD; 1e400, which we read
/// as infinity; integers beyond
/// Int64, which Foundation keeps exact and we round to a Double; U+FEFF in strings, some of
/// which Foundation drops; a trailing comma and a NUL byte near the start, which Foundation
/// lets pass.
@Suite struct JSONDifferentialTests {
    /// What one document showed, for the failure message: the seed and index replay it.
    struct Disagreement: CustomStringConvertible {
        var seed: UInt64
        var index: Int
        var bytes: [UInt8]
        var problem: String

        var description: String {
            let text = String(decoding: bytes, as: UTF8.self).debugDescription
            return "seed \(seed) #\(index): \(problem) — \(text.prefix(300)) (hex \(NumberText.hex(bytes.prefix(120))))"
        }
    }

    static func compare(_ bytes: [UInt8], seed: UInt64, index: Int) -> Disagreement? {
        func disagreement(_ problem: String) -> Disagreement {
            Disagreement(seed: seed, index: index, bytes: bytes, problem: problem)
        }
        let ours: JSONValue?
        let ourError: JSONSyntaxError?
        do {
            ours = try JSONValue.parse(bytes)
            ourError = nil
        } catch {
            ours = nil
            ourError = error
        }
        let theirs = FoundationJSON.parse(bytes)
        switch (ours, theirs) {
        case (nil, nil):
            return nil
        case (let ours?, let theirs?):
            return FoundationJSON.difference(ours: ours, theirs: theirs).map { disagreement("values differ at \($0)") }
        case (let ours?, nil):
            if FoundationJSON.isOurLeniency(bytes, ours: ours) { return nil }
            return disagreement("we accept (\(ours.serialized().prefix(200))), Foundation refuses")
        case (nil, let theirs?):
            if let ourError, FoundationJSON.isFoundationLeniency(bytes, ourError: ourError, theirs: theirs) {
                return nil
            }
            return disagreement("we refuse (\(ourError.map { "\($0)" } ?? "")), Foundation accepts \(theirs)")
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func validDocumentsReadAlike(seed: UInt64) {
        var random = RandomJSON(seed: seed)
        var disagreements: [Disagreement] = []
        var accepted = 0
        for index in 0..<1500 {
            let bytes = random.document()
            if let disagreement = Self.compare(bytes, seed: seed, index: index) { disagreements.append(disagreement) }
            if (try? JSONValue.parse(bytes)) != nil { accepted += 1 }
        }
        for disagreement in disagreements.prefix(10) { Issue.record("\(disagreement)") }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements")
        // Valid by construction: all are read.
        #expect(accepted == 1500)
    }

    @Test(arguments: [4, 5, 6] as [UInt64])
    func brokenDocumentsAreRefusedAlike(seed: UInt64) {
        var random = RandomJSON(seed: seed)
        var disagreements: [Disagreement] = []
        var refused = 0
        for index in 0..<3000 {
            let bytes = random.mutatedDocument()
            if let disagreement = Self.compare(bytes, seed: seed, index: index) { disagreements.append(disagreement) }
            if (try? JSONValue.parse(bytes)) == nil { refused += 1 }
        }
        for disagreement in disagreements.prefix(10) { Issue.record("\(disagreement)") }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements")
        // The mutations do break most documents, and leave some readable (whitespace, digits).
        #expect(refused > 1500 && refused < 3000)
    }

    /// The known differences exist, and are exactly what FoundationJSON says they are.
    @Test func theDocumentedDifferencesAreReal() throws {
        let lone = Array(#"["a\uD800b"]"#.utf8)
        #expect(try JSONValue.parse(lone) == ["a\u{FFFD}b"])
        #expect(FoundationJSON.parse(lone) == nil)
        #expect(Self.compare(lone, seed: 0, index: 0) == nil)
        // An input U+FFFD is not mistaken for a replaced surrogate.
        let written = Array(#"["\uFFFD\uD800"]"#.utf8)
        #expect(Self.compare(written, seed: 0, index: 0) != nil)

        let byteOrderMark = Array("[\"\u{FEFF}a\u{FEFF}b\"]".utf8)
        #expect(try JSONValue.parse(byteOrderMark) == ["\u{FEFF}a\u{FEFF}b"])
        let theirString = FoundationJSON.parse(byteOrderMark).flatMap { ($0 as? [Any])?.first as? String }
        #expect(theirString.map { Array($0.unicodeScalars) } == ["a", "\u{FEFF}", "b"])
        #expect(Self.compare(byteOrderMark, seed: 0, index: 0) == nil)

        for text in ["[1,]", #"{"a":[1, 2 ,] }"#, #"{"a":1 ,}"#] {
            #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
            #expect(FoundationJSON.parse(Array(text.utf8)) != nil)
            #expect(Self.compare(Array(text.utf8), seed: 0, index: 0) == nil)
        }
        #expect(Self.compare(Array("[1,,]".utf8), seed: 0, index: 0) == nil, "refused by both")

        let nul: [UInt8] = [UInt8(ascii: "9"), 0]
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(nul) }
        #expect(FoundationJSON.parse(nul) as? Int == 9)
        #expect(Self.compare(nul, seed: 0, index: 0) == nil)

        let huge = Array("[1, 1e400]".utf8)
        #expect(try JSONValue.parse(huge) == [1, .double(.infinity)])
        #expect(FoundationJSON.parse(huge) == nil)
        #expect(Self.compare(huge, seed: 0, index: 0) == nil)

        let big = Array("[123456789012345678901234567890]".utf8)
        #expect(try JSONValue.parse(big) == [.double(1.2345678901234568e29)])
        let theirs = try #require(FoundationJSON.parse(big) as? [Any])
        #expect(theirs.first is NSDecimalNumber)
        #expect(Self.compare(big, seed: 0, index: 0) == nil)

        let duplicate = Array(#"{"a":1,"b":2,"a":3}"#.utf8)
        let ours = try JSONValue.parse(duplicate)
        #expect(ours.objectValue?.keys.elements == ["a", "b"], "the key stays where it first appeared")
        #expect(ours["a"] == 3, "the last value wins")
        #expect(Self.compare(duplicate, seed: 0, index: 0) == nil, "Foundation keeps the last value too")
    }
}
