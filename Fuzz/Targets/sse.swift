// libFuzzer target `sse`: the SSE parser. No crash, and the events do not depend on how the
// stream was cut into chunks (the first byte picks where to cut).
import MCPClient

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSE(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var whole = SSEParser()
    let expected = whole.feed(bytes) + whole.finish()
    let cut = bytes.isEmpty ? 0 : Int(data[0]) % (bytes.count + 1)
    var chunked = SSEParser()
    var events = chunked.feed(bytes[..<cut])
    events += chunked.feed(bytes[cut...])
    events += chunked.finish()
    if events != expected { fatalError("events differ when the stream is cut at \(cut)") }
    return 0
}
