// libFuzzer target `jsonrpc`: decoding JSON-RPC messages from a server. No crash; a message
// that decodes has a description.
import MCPClient

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONRPC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let message = try? JSONRPCMessage(bytes: bytes) { _ = "\(message)" }
    return 0
}
