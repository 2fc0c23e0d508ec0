import Bridge
import Foundation
import Synchronization
import Testing

@Suite struct BridgeActivityTests {
    func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-bridges-\(UUID())").path
    }

    @Test func aReaderSeesWhatABridgeWritesAndNoSecret() throws {
        let path = folder()
        let log = BridgeActivity.Log(folder: path, via: "proxy")
        let reader = BridgeActivity.Reader(folder: path)
        log.attached(server: "acme", client: "claude-code")
        log.attached(server: "acme", client: "claude-code")  // said once
        log.call(server: "acme", client: "claude-code", tool: "search", seconds: 0.25, outcome: "ok", detail: nil)
        let events = reader.poll()
        #expect(events.map(\.kind) == [.attached, .call])
        #expect(events.last?.tool == "search")
        #expect(events.last?.seconds == 0.25)
        #expect(events.allSatisfy { $0.pid == getpid() && $0.via == "proxy" && $0.client == "claude-code" })
        #expect(reader.poll().isEmpty, "each line is read once")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func aBridgeThatDiedIsToldAsItsClientsLeaving() throws {
        let path = folder()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // A pid no process has (above Linux's pid_max).
        let line =
            #"{"v":1,"event":"attached","pid":2147483000,"via":"serve","server":"acme","client":"cursor","time":1800000000}"#
        let file = path + "/2147483000-serve.jsonl"
        _ = FileManager.default.createFile(atPath: file, contents: Data((line + "\n").utf8))
        let reader = BridgeActivity.Reader(folder: path)
        #expect(reader.poll().map(\.kind) == [.attached, .detached])
        #expect(FileManager.default.fileExists(atPath: file), "kept a while for other readers")
        #expect(BridgeActivity.Reader(folder: path).poll().map(\.kind) == [.attached, .detached], "another reader")
        #expect(reader.poll().isEmpty, "told once")
        // Once the grace has passed, a reader removes the file.
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-BridgeActivity.Log.grace - 1)], ofItemAtPath: file)
        _ = reader.poll()
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test func aBridgeThatEndedAtOnceStillShowsItsCalls() throws {
        let path = folder()
        let reader = BridgeActivity.Reader(folder: path)
        do {
            let log = BridgeActivity.Log(folder: path, via: "proxy")
            log.call(server: "acme", client: "quick", tool: "echo", seconds: 0.01, outcome: "ok", detail: nil)
        }  // the bridge's log is gone before the reader looks
        #expect(reader.poll().map(\.tool) == ["echo"])
    }

    @Test func theObserverHearsEveryEventEvenWithoutAFile() {
        let heard = Mutex<[BridgeActivity.Event]>([])
        // A folder that cannot be made: a file stands where its parent should be.
        let log = BridgeActivity.Log(folder: "/dev/null/bridges", via: "serve") { event in
            heard.withLock { $0.append(event) }
        }
        log.attached(server: "acme", client: "cursor")
        log.call(server: "acme", client: "cursor", tool: "search", seconds: 0.5, outcome: "isError", detail: nil)
        let events = heard.withLock { $0 }
        #expect(events.map(\.kind) == [.attached, .call])
        #expect(events.last?.outcome == "isError")
        #expect(events.allSatisfy { $0.via == "serve" && $0.server == "acme" && $0.client == "cursor" })
    }

    @Test func malformedLinesAreSkipped() throws {
        let path = folder()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let text =
            "not json\n{\"v\":2}\n{\"v\":1,\"event\":\"call\",\"pid\":\(getpid()),\"via\":\"proxy\",\"server\":\"a\",\"client\":\"c\",\"time\":1e300,\"seconds\":-5}\n"
        _ = FileManager.default.createFile(atPath: path + "/\(getpid())-proxy.jsonl", contents: Data(text.utf8))
        let events = BridgeActivity.Reader(folder: path).poll()
        #expect(events.isEmpty, "an absurd time is not a call: \(events)")
    }
}
