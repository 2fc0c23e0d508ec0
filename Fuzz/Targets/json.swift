// libFuzzer target `json`: the JSON parser. Whatever the bytes, no crash; a document that
// parses serializes to text that parses and serializes to the same text (a fixed point: 20e1
// reads as a double and is written "200", which reads as an integer, so values are compared
// as text), and its pretty form carries no control character a terminal would act on.
import Support

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONValue.parse(bytes) else { return 0 }
    let text = value.serializedBytes()
    guard let again = try? JSONValue.parse(text), again.serializedBytes() == text else {
        fatalError("a parsed document did not survive serialize + parse")
    }
    let pretty = value.prettyPrinted()
    if pretty.unicodeScalars.contains(where: { TerminalText.isUnsafe($0) && $0 != "\n" }) {
        fatalError("prettyPrinted() let a control character through")
    }
    _ = try? JSONValue.parseWithPositions(bytes)
    return 0
}
