// libFuzzer target `toolform`: the dashboard's tool form (built with
// Sources/Dashboard/ToolForm.swift): a form made from a tool's `inputSchema`, filled from what
// the user typed. The input is the schema's JSON, a NUL byte, then the typed text: as the raw
// editor's arguments object, and in every field. No crash; a form that validates builds its
// arguments, which are an object; the raw editor's text of a form parses back.
import MCPClient
import Support

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzToolForm(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let schema = (try? JSONValue.parse(Array(bytes[..<split]))) ?? ["type": "object", "properties": [:]]
    let typed = String(decoding: bytes[min(split + 1, bytes.count)...], as: UTF8.self)
    let form = ToolForm(schema: schema)
    check(form)
    _ = ToolForm.rawEditorText(schema: schema)
    if case .failure = ToolForm.parseRaw(form.rawEditorText()) { fatalError("the raw editor's own text is refused") }
    if case .success(let arguments) = ToolForm.parseRaw(typed) {
        if arguments.objectValue == nil { fatalError("raw arguments that are not an object") }
        if case .success(let filled) = form.filling(from: arguments) { check(filled) }
    }
    var edited = form
    for index in edited.fields.indices {
        edited.fields[index].text = typed
        _ = edited.fields[index].inputHint
        _ = edited.fields[index].constraints.summary
    }
    check(edited)
    return 0
}

func check(_ form: ToolForm) {
    let problems = form.validate()
    switch form.arguments() {
    case .success(let arguments):
        if arguments.objectValue == nil { fatalError("arguments that are not an object") }
        if !problems.isEmpty { fatalError("arguments built although validate() found problems") }
    case .failure(let error):
        if problems.isEmpty { fatalError("validate() found nothing, arguments() failed: \(error)") }
    }
}
