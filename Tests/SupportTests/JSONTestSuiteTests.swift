import Foundation
import Testing

@testable import Support

/// The parser reads what servers send, so it is held to JSONTestSuite's kinds of cases
/// (Fixtures/JSONTestSuite, written by Fixtures/write-json-test-suite.py): every `y_` file is
/// read, every `n_` file refused with a JSONSyntaxError, and every `i_` file gets the answer
/// chosen below. Foundation's JSONSerialization is asked too, and must agree on `y_` and `n_`.
@Suite struct JSONTestSuiteTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/JSONTestSuite")

    /// The names (without ".json") of the cases starting with `prefix`, sorted.
    static func cases(_ prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name + ".json")))
    }

    @Test func theCasesAreAllThere() {
        #expect(Self.cases("y_").count >= 95)
        #expect(Self.cases("n_").count >= 180)
        #expect(Self.cases("i_").count >= 40)
        #expect(
            Set(Self.cases("i_")) == Set(Self.choices.keys), "every i_ case has a documented choice, and only those")
    }

    @Test(arguments: cases("y_"))
    func accepts(_ name: String) throws {
        let bytes = try Self.bytes(name)
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            Issue.record("\(name) refused: \(error)")
            return
        }
        let (positioned, _) = try JSONValue.parseWithPositions(bytes)
        #expect(positioned == value, "parseWithPositions reads the same value")
        // Written back, it reads back to the same text.
        let written = value.serialized()
        #expect(try JSONValue.parse(written).serialized() == written)
        let theirs = try #require(FoundationJSON.parse(bytes), "Foundation reads \(name) too")
        #expect(FoundationJSON.difference(ours: value, theirs: theirs) == nil)
    }

    @Test(arguments: cases("n_"))
    func refuses(_ name: String) throws {
        let bytes = try Self.bytes(name)
        do {
            let value = try JSONValue.parse(bytes)
            Issue.record("\(name) accepted as \(value)")
        } catch {
            // The place named is inside the document (or just past its end).
            #expect(error.offset >= 0 && error.offset <= bytes.count)
            #expect(error.line >= 1 && error.column >= 1)
            #expect(!error.message.isEmpty)
        }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parseWithPositions(bytes) }
        if FoundationJSON.parse(bytes) != nil {
            #expect(Self.foundationAccepts.contains(name), "Foundation accepts \(name), for no documented reason")
        }
    }

    /// The `n_` cases Foundation reads on Linux (see FoundationJSON): one trailing comma, and
    /// documents it takes for UTF-16 because of a NUL byte.
    static let foundationAccepts: Set<String> = [
        "n_array_extra_comma", "n_array_number_and_comma", "n_object_trailing_comma",
    ]

    @Test(arguments: cases("i_"))
    func followsItsDocumentedChoice(_ name: String) throws {
        let bytes = try Self.bytes(name)
        guard let choice = Self.choices[name] else {
            Issue.record("no documented choice for \(name)")
            return
        }
        switch choice {
        case .accepts(let expected):
            #expect(try JSONValue.parse(bytes) == expected)
            #expect(try JSONValue.parseWithPositions(bytes).0 == expected)
        case .refuses(let reason):
            do {
                let value = try JSONValue.parse(bytes)
                Issue.record("\(name) accepted as \(value)")
            } catch {
                #expect(error.message.contains(reason), "\(error)")
            }
        }
    }

    enum Choice {
        case accepts(JSONValue)
        /// Refused with a message containing this text.
        case refuses(String)
    }

    static func nested(_ depth: Int) -> JSONValue {
        var value: JSONValue = []
        for _ in 1..<depth { value = [value] }
        return value
    }

    /// What the parser does where RFC 8259 leaves it to the implementation, and why.
    static let choices: [String: Choice] = {
        let replacement = "\u{FFFD}"
        let notUTF8 = Choice.refuses("not valid UTF-8")
        /// A Double as strtod reads it (a literal this long would not compile, or round twice).
        func double(_ text: String) -> Choice { .accepts([.double(Double(text) ?? .nan)]) }
        return [
            // Beyond Double's range a number is infinity (Foundation refuses the document): one
            // absurd field must not cost a whole message, and readers bound it. Below, it is 0.
            "i_number_double_huge_neg_exp": .accepts([.double(0)]),
            "i_number_huge_exp": .accepts([.double(.infinity)]),
            "i_number_neg_int_huge_exp": .accepts([.double(-.infinity)]),
            "i_number_pos_double_huge_exp": .accepts([.double(.infinity)]),
            "i_number_real_neg_overflow": .accepts([.double(-.infinity)]),
            "i_number_real_pos_overflow": .accepts([.double(.infinity)]),
            "i_number_1e400": .accepts([.double(.infinity)]),
            "i_number_real_underflow": .accepts([.double(0)]),
            "i_number_1e-400": .accepts([.double(0)]),
            // Integers beyond Int64 are the nearest Double.
            "i_number_too_big_neg_int": double("-123123123123123123123123123123"),
            "i_number_too_big_pos_int": .accepts([.double(1e20)]),
            "i_number_very_big_negative_int": double("-237462374673276894279832749832423479823246327846"),
            "i_number_int64_max_plus_one": double("9223372036854775808"),
            // A surrogate escape that is not half of a pair is U+FFFD (JSONParser.parseString).
            "i_object_key_lone_2nd_surrogate": .accepts([replacement: 0]),
            "i_string_1st_surrogate_but_2nd_missing": .accepts([.string(replacement)]),
            "i_string_1st_valid_surrogate_2nd_invalid": .accepts([.string(replacement + "\u{1234}")]),
            "i_string_incomplete_surrogate_and_escape_valid": .accepts([.string(replacement + "\n")]),
            "i_string_incomplete_surrogate_pair": .accepts([.string(replacement + "a")]),
            "i_string_incomplete_surrogates_escape_valid": .accepts([.string(replacement + replacement + "\n")]),
            "i_string_invalid_lonely_surrogate": .accepts([.string(replacement)]),
            "i_string_invalid_surrogate": .accepts([.string(replacement + "abc")]),
            "i_string_inverted_surrogates_U+1D11E": .accepts([.string(replacement + replacement)]),
            "i_string_high_surrogate_then_pair": .accepts([.string(replacement + "\u{1D11E}")]),
            "i_string_lone_second_surrogate": .accepts([.string(replacement)]),
            // Bytes that are not UTF-8 are refused: JSON text is UTF-8 (RFC 8259 §8.1), and a
            // guess at the encoding would show the user something the server did not send.
            "i_string_UTF-16LE_with_BOM": .refuses("byte 0xff"),
            "i_string_UTF-8_invalid_sequence": notUTF8,
            "i_string_UTF8_surrogate_U+D800": notUTF8,
            "i_string_invalid_utf-8": notUTF8,
            "i_string_iso_latin_1": notUTF8,
            "i_string_lone_utf8_continuation_byte": notUTF8,
            "i_string_not_in_unicode_range": notUTF8,
            "i_string_overlong_sequence_2_bytes": notUTF8,
            "i_string_overlong_sequence_6_bytes": notUTF8,
            "i_string_overlong_sequence_6_bytes_null": notUTF8,
            "i_string_truncated-utf-8": notUTF8,
            "i_string_utf16BE_no_BOM": .refuses("byte 0x0"),
            "i_string_utf16LE_no_BOM": .refuses("byte 0x0"),
            // Nesting: 512 levels are read, deeper is refused before the stack is at risk.
            "i_structure_500_nested_arrays": .accepts(nested(500)),
            "i_structure_512_nested_arrays": .accepts(nested(512)),
            "i_structure_513_nested_arrays": .refuses("nesting deeper than 512 levels"),
            "i_structure_513_nested_objects": .refuses("nesting deeper than 512 levels"),
            // A UTF-8 byte order mark at the very start is skipped (editors on Windows add one).
            "i_structure_UTF-8_BOM_empty_object": .accepts([:]),
            "i_structure_UTF-8_BOM_then_whitespace": .accepts([1]),
        ]
    }()
}
