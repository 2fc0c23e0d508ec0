/// Limits how many supervisors connect at the same moment. A thousand servers starting
/// together would otherwise open a thousand transfers at once: a memory peak the allocator
/// keeps, and health checks that all fall due in the same second ever after.
public actor ConnectGate {
    private let limit: Int
    private var inUse = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    public func acquire() async {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func release() {
        if waiters.isEmpty {
            inUse = max(0, inUse - 1)
        } else {
            waiters.removeFirst().resume()  // the permit passes straight on
        }
    }
}
