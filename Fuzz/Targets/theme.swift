// libFuzzer target `theme`: theme files (built with Sources/Dashboard/Theme.swift and
// Style.swift). No crash on any text; every warning names the source and a line in the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (theme, warnings) = Theme.parse(text, source: "fuzz.theme")
    for warning in warnings where !warning.description.hasPrefix("fuzz.theme") {
        fatalError("a warning without its file: \(warning)")
    }
    for role in Role.allCases { _ = theme.style(role) }
    return 0
}
