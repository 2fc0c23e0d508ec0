// libFuzzer target `sanitizer`: TerminalText. Whatever the input, the output holds no control
// sequence: no C0 (a newline and tab only in `.lines`), DEL, C1, bidi or format character.
import Support

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSanitizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let line = TerminalText.sanitized(text, layout: .line)
    if line.unicodeScalars.contains(where: TerminalText.isUnsafe) { fatalError("a control in a line") }
    let lines = TerminalText.sanitized(text, layout: .lines)
    if lines.unicodeScalars.contains(where: { TerminalText.isUnsafe($0) && $0 != "\n" && $0 != "\t" }) {
        fatalError("a control in lines")
    }
    // The escapes are printable ASCII: sanitizing again changes nothing.
    if TerminalText.sanitized(line, layout: .line) != line { fatalError("not idempotent") }
    return 0
}
