import Foundation
import Support
import Synchronization

/// What a bridge (`mcptop proxy`, `mcptop serve`) tells every dashboard and `watch` on the
/// machine: which clients are attached to which server, and each call they made. Each bridge
/// process appends JSON lines to a file of its own in `$XDG_RUNTIME_DIR/mcptop/bridges`
/// (owner-only); readers follow the files, so a dashboard started later sees the bridges
/// already running, and a bridge never waits for a reader. Never a secret: no arguments, no
/// results, no tokens.
public enum BridgeActivity {
    public struct Event: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case attached, call, detached
        }
        public var kind: Kind
        public var pid: Int32
        /// "proxy" or "serve".
        public var via: String
        public var server: String
        /// The client's own name (`clientInfo.name`), as it says.
        public var client: String
        public var time: Date
        public var tool: String?
        public var seconds: Double?
        /// "ok", "isError", "error", "cancelled".
        public var outcome: String?
        public var detail: String?

        public init(
            kind: Kind, pid: Int32 = getpid(), via: String, server: String, client: String, time: Date = Date(),
            tool: String? = nil, seconds: Double? = nil, outcome: String? = nil, detail: String? = nil
        ) {
            self.kind = kind
            self.pid = pid
            self.via = via
            self.server = server
            self.client = client
            self.time = time
            self.tool = tool
            self.seconds = seconds
            self.outcome = outcome
            self.detail = detail
        }

        var json: JSONValue {
            var object: JSONValue = [
                "v": 1, "event": .string(kind.rawValue), "pid": .int(Int64(pid)), "via": .string(via),
                "server": .string(server), "client": .string(client), "time": .double(time.timeIntervalSince1970),
            ]
            if let tool { object["tool"] = .string(tool) }
            if let seconds { object["seconds"] = .double(seconds) }
            if let outcome { object["outcome"] = .string(outcome) }
            if let detail { object["detail"] = .string(String(detail.prefix(200))) }
            return object
        }

        init?(json: JSONValue) {
            guard json["v"] == 1, let kind = json["event"]?.stringValue.flatMap(Kind.init(rawValue:)),
                let pid = json["pid"]?.intValue, let via = json["via"]?.stringValue,
                let server = json["server"]?.stringValue, let client = json["client"]?.stringValue,
                let time = BoundedSeconds.storedDate(json["time"]?.doubleValue.map(Date.init(timeIntervalSince1970:)))
            else { return nil }
            self.init(
                kind: kind, pid: Int32(truncatingIfNeeded: pid), via: via, server: server, client: client, time: time,
                tool: json["tool"]?.stringValue, seconds: json["seconds"]?.doubleValue.flatMap(BoundedSeconds.lifetime),
                outcome: json["outcome"]?.stringValue, detail: json["detail"]?.stringValue)
        }
    }

    /// Whether the process that wrote a bridge file (`<pid>-<via>.jsonl`) has ended.
    static func hasEnded(_ name: String) -> Bool {
        guard let pid = Int32(name.prefix { $0.isNumber }) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Seconds since a file was last written.
    static func age(of path: String, now: Date) -> TimeInterval {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
        return modified.map { now.timeIntervalSince($0) } ?? .infinity
    }

    /// `$XDG_RUNTIME_DIR/mcptop/bridges`, else `<state folder>/bridges`.
    public static func folder(environment: [String: String], stateDirectory: String) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + "/mcptop/bridges"
        }
        return stateDirectory + "/bridges"
    }

    /// One bridge process's file, and `observer` (the bridge's own metrics) told the same
    /// events. Writes are whole lines with O_APPEND; failures are ignored, and a folder or file
    /// that cannot be made leaves only the observer (the dashboard is a view, the client's call
    /// matters more).
    public final class Log: Sendable {
        private let path: String
        /// -1 when the file could not be made.
        private let descriptor: Int32
        private let via: String
        private let observer: (@Sendable (Event) -> Void)?
        private let seen = Mutex<Set<String>>([])

        public init(folder: String, via: String, observer: (@Sendable (Event) -> Void)? = nil) {
            self.via = via
            self.observer = observer
            path = folder + "/\(getpid())-\(via).jsonl"
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                descriptor = -1
                return
            }
            Self.removeFinished(in: folder)
            descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        }

        deinit {
            // The file stays for the readers to finish it: a bridge that lived less than a
            // reader's polling interval still shows its calls. `removeFinished` clears it later.
            if descriptor >= 0 { close(descriptor) }
        }

        /// How long the file of a bridge that ended stays for the readers: many poll intervals.
        public static let grace: TimeInterval = 30

        /// Removes the files of bridges that ended more than `grace` seconds ago, so files do not
        /// pile up where no dashboard runs.
        static func removeFinished(in folder: String, now: Date = Date()) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
            for name in names where name.hasSuffix(".jsonl") {
                let path = folder + "/" + name
                if BridgeActivity.hasEnded(name), BridgeActivity.age(of: path, now: now) > grace { unlink(path) }
            }
        }

        public func record(_ event: Event) {
            observer?(event)
            guard descriptor >= 0 else { return }
            var bytes = event.json.serializedBytes()
            bytes.append(UInt8(ascii: "\n"))
            _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        }

        /// A client attached; said once per server and client name (stateless clients attach
        /// with every request).
        public func attached(server: String, client: String) {
            guard seen.withLock({ $0.insert(server + "\u{0}" + client).inserted }) else { return }
            record(Event(kind: .attached, via: via, server: server, client: client))
        }

        public func detached(server: String, client: String) {
            guard seen.withLock({ $0.remove(server + "\u{0}" + client) != nil }) else { return }
            record(Event(kind: .detached, via: via, server: server, client: client))
        }

        public func call(
            server: String, client: String, tool: String, seconds: Double, outcome: String, detail: String?
        ) {
            record(
                Event(
                    kind: .call, via: via, server: server, client: client, time: Date().addingTimeInterval(-seconds),
                    tool: tool, seconds: seconds, outcome: outcome, detail: detail))
        }
    }

    /// Follows every bridge's file: new lines since the last look, and the files of bridges
    /// that are gone (their process ended without removing the file) removed.
    public final class Reader: @unchecked Sendable {
        // Unchecked: used from one task at a time (the monitor's polling loop).
        private let folder: String
        private var offsets: [String: Int] = [:]
        private var partial: [String: [UInt8]] = [:]
        /// Clients attached through each file, so that a bridge that died without a word is
        /// told as their leaving.
        private var attached: [String: [Event]] = [:]

        public init(folder: String) {
            self.folder = folder
        }

        public func poll() -> [Event] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
            var events: [Event] = []
            for name in names.sorted() where name.hasSuffix(".jsonl") {
                let path = folder + "/" + name
                let read = self.read(path)
                for event in read {
                    switch event.kind {
                    case .attached: attached[path, default: []].append(event)
                    case .detached: attached[path]?.removeAll { $0.server == event.server && $0.client == event.client }
                    case .call: break
                    }
                }
                events += read
                if BridgeActivity.hasEnded(name) {
                    // Its clients have left; its file goes once every reader had time to read it.
                    for event in attached.removeValue(forKey: path) ?? [] {
                        var gone = event
                        gone.kind = .detached
                        gone.time = Date()
                        events.append(gone)
                    }
                    if BridgeActivity.age(of: path, now: Date()) > Log.grace {
                        unlink(path)
                        offsets[path] = nil
                        partial[path] = nil
                    }
                }
            }
            for path in offsets.keys where !names.contains((path as NSString).lastPathComponent) {
                offsets[path] = nil
                partial[path] = nil
            }
            return events
        }

        private func read(_ path: String) -> [Event] {
            let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { return [] }
            defer { close(descriptor) }
            var offset = offsets[path] ?? 0
            var bytes = partial[path] ?? []
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = pread(descriptor, &buffer, buffer.count, off_t(offset))
                if count <= 0 { break }
                bytes.append(contentsOf: buffer[0..<count])
                offset += count
                if bytes.count > 1 << 20 { bytes.removeAll() }  // a line that long is nobody's
            }
            offsets[path] = offset
            var events: [Event] = []
            while let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(bytes[..<newline])
                bytes.removeSubrange(...newline)
                if let value = try? JSONValue.parse(line), let event = Event(json: value) { events.append(event) }
            }
            partial[path] = bytes
            return events
        }
    }
}
