import MCPClient
import Support
import Synchronization

/// The remote's notifications outside requests (list changes, resource updates), fanned out to
/// a bridge's clients by what each asked for. The remote is asked once for what any of them
/// wants: one stream (a 2026-07-28 `subscriptions/listen`, or a stateful session's GET stream)
/// and one `resources/subscribe` per resource on a stateful remote. When that stream breaks,
/// changes may have been missed: every client hears that what it follows changed (its
/// revision's own signal to fetch again), and the stream and subscriptions are made anew.
public actor NotificationRelay {
    /// What one client follows: lists (`tools`, `prompts`, `resources`) and resource URIs.
    public struct Filter: Equatable, Sendable {
        var lists: Set<String> = []
        var resources: Set<String> = []

        static let listNames = ["tools", "prompts", "resources"]

        /// A 2026-07-28 client's `subscriptions/listen` filter (subscriptions.mdx).
        init(listen filter: JSONValue?) {
            for name in Self.listNames where filter?["\(name)ListChanged"] == .bool(true) { lists.insert(name) }
            for uri in filter?["resourceSubscriptions"]?.arrayValue ?? [] {
                if let uri = uri.stringValue { resources.insert(uri) }
            }
        }

        init(lists: Set<String> = [], resources: Set<String> = []) {
            self.lists = lists
            self.resources = resources
        }

        /// The lists whose changes a server with these capabilities announces.
        static func lists(announcedBy capabilities: JSONValue?) -> Set<String> {
            Set(listNames.filter { capabilities?[$0]?["listChanged"] == .bool(true) })
        }

        /// As a `subscriptions/listen` filter (and its acknowledgment).
        var listen: JSONValue {
            var filter: JSONValue = [:]
            for name in Self.listNames.sorted() where lists.contains(name) { filter["\(name)ListChanged"] = true }
            if !resources.isEmpty { filter["resourceSubscriptions"] = .array(resources.sorted().map { .string($0) }) }
            return filter
        }

        func union(_ other: Filter) -> Filter {
            Filter(lists: lists.union(other.lists), resources: resources.union(other.resources))
        }

        func wants(_ message: JSONRPCMessage) -> Bool {
            guard case .notification(let method, let params) = message else { return false }
            if method == "notifications/resources/updated" {
                return params?["uri"]?.stringValue.map(resources.contains) ?? false
            }
            return Self.listNames.contains { method == "notifications/\($0)/list_changed" && lists.contains($0) }
        }
    }

    private struct Listener {
        var filter: Filter
        var deliver: @Sendable (JSONRPCMessage) -> Void
    }

    private let upstream: any Upstream
    /// Read by `publish` on whatever thread a notification arrives, so that order is kept.
    private nonisolated let listeners = Mutex<[Int: Listener]>([:])
    private var nextListener = 0
    private var observing = false
    /// The stream held open for the listeners, and the filter it was opened with.
    private var feed: (task: Task<Void, Never>, filter: Filter)?
    /// Resources a stateful remote was asked to send updates for.
    private var subscribed: Set<String> = []

    public init(upstream: any Upstream) {
        self.upstream = upstream
    }

    /// Follows `filter` for one client until `remove`; `deliver` gets what matches, in order.
    /// A remote that cannot be reached yet is asked again until it can.
    func add(_ filter: Filter, deliver: @escaping @Sendable (JSONRPCMessage) -> Void) async -> Int {
        nextListener += 1
        let id = nextListener
        listeners.withLock { $0[id] = Listener(filter: filter, deliver: deliver) }
        await reconcileOrRetry()
        return id
    }

    private var retrying = false

    private func reconcileOrRetry() async {
        do {
            try await reconcile()
        } catch {
            guard !retrying else { return }
            retrying = true
            Task { [weak self] in
                try? await Task.sleep(for: .seconds(5))
                await self?.retried()
            }
        }
    }

    private func retried() async {
        retrying = false
        if listeners.withLock({ !$0.isEmpty }) { await reconcileOrRetry() }
    }

    /// A client follows something else now (a stateful client's `resources/subscribe`).
    func update(_ id: Int, filter: Filter) async throws(MCPError) {
        listeners.withLock { $0[id]?.filter = filter }
        try await reconcile()
    }

    func filter(of id: Int) -> Filter? {
        listeners.withLock { $0[id]?.filter }
    }

    func remove(_ id: Int) async {
        listeners.withLock { $0[id] = nil }
        await reconcileOrRetry()
    }

    /// A notification from the remote (the connection's observer, or a request's stream).
    public nonisolated func publish(_ message: JSONRPCMessage) {
        let targets = listeners.withLock { $0.values.filter { $0.filter.wants(message) }.map(\.deliver) }
        for deliver in targets { deliver(message) }
    }

    /// Asks the remote for what the listeners want, and no more.
    private func reconcile() async throws(MCPError) {
        if !observing {
            observing = true
            await upstream.observeNotifications { [weak self] message in self?.publish(message) }
        }
        let wanted = listeners.withLock { $0.values.reduce(Filter()) { $0.union($1.filter) } }
        let hasListeners = listeners.withLock { !$0.isEmpty }
        let info = try await upstream.serverInfo()
        if info.isStateless {
            // One `subscriptions/listen` for the union; a new filter means a new stream.
            if feed?.filter != wanted || !hasListeners {
                feed?.task.cancel()
                feed = hasListeners && wanted != Filter() ? (startFeed(wanted), wanted) : nil
            }
            return
        }
        // Stateful: list changes come unasked, on the session's stream; resources one by one.
        if !hasListeners {
            feed?.task.cancel()
            feed = nil
        } else if feed == nil {
            feed = (startFeed(Filter()), Filter())
        }
        for uri in wanted.resources.subtracting(subscribed).sorted() {
            _ = try await upstream.request(
                "resources/subscribe", params: ["uri": .string(uri)], wantsProgress: false, capabilities: nil,
                onNotification: { [weak self] in self?.publish($0) }, onRequest: Self.declineQuestions)
            subscribed.insert(uri)
        }
        for uri in subscribed.subtracting(wanted.resources).sorted() {
            subscribed.remove(uri)
            _ = try? await upstream.request(
                "resources/unsubscribe", params: ["uri": .string(uri)], wantsProgress: false, capabilities: nil,
                onNotification: { _ in }, onRequest: Self.declineQuestions)
        }
    }

    private static let declineQuestions: ServerRequestHandler = { method, _ in
        .failure(JSONRPCError(code: JSONRPCError.methodNotFound, message: "no client to ask \(method)"))
    }

    /// Holds the remote's stream open, and opens it again when it ends (1 s, doubling to 30 s
    /// while it keeps failing). A stream that has held for 2 s after one ended is taken as
    /// back: what it carried meanwhile may be lost, so the listeners hear that what they follow
    /// changed, and a stateful remote's resources are subscribed anew (a new session has none).
    private func startFeed(_ filter: Filter) -> Task<Void, Never> {
        let upstream = self.upstream
        return Task { [weak self] in
            var delay = 1.0
            var broke = false
            while !Task.isCancelled {
                let afterBreak = broke
                let back = Task { [weak self] in
                    try? await Task.sleep(for: .seconds(2))
                    if afterBreak, !Task.isCancelled { await self?.streamBack() }
                }
                let opened = ContinuousClock.now
                do throws(MCPError) {
                    let held = try await upstream.listen(filter: filter.listen) { [weak self] in self?.publish($0) }
                    back.cancel()
                    // They come on the connection's one stream (stdio, HTTP+SSE), or the remote
                    // offers none (GET answered 405, `subscriptions/listen` not found).
                    if !held { return }
                } catch {
                    back.cancel()
                    if error.isCancellation || Task.isCancelled { return }
                }
                if ContinuousClock.now - opened > .seconds(2) { delay = 1 }
                broke = true
                await self?.streamBroke()
                try? await Task.sleep(for: BoundedSeconds.duration(delay))
                delay = min(delay * 2, 30)
            }
        }
    }

    /// A stateful remote's resource subscriptions belong to its session, which may be new.
    private func streamBroke() {
        subscribed = []
    }

    private func streamBack() async {
        let everyone = listeners.withLock { Array($0.values) }
        for listener in everyone {
            for name in Filter.listNames.sorted() where listener.filter.lists.contains(name) {
                listener.deliver(.notification(method: "notifications/\(name)/list_changed", params: nil))
            }
            for uri in listener.filter.resources.sorted() {
                listener.deliver(
                    .notification(method: "notifications/resources/updated", params: ["uri": .string(uri)]))
            }
        }
        await reconcileOrRetry()
    }
}
