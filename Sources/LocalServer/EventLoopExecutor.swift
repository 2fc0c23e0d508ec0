import Dispatch
import NIOCore
import Synchronization

/// Runs the tasks that prefer it (`Task(executorPreference:)`, and their child tasks) on one
/// NIO event loop's thread, where the server reads and writes their connections. A request
/// answered by tasks on the global pool crosses threads four times (the event loop wakes a
/// pool thread for the request, the pool wakes the event loop for the answer, and the same
/// again around the upstream's libcurl thread); on the loop itself, only the upstream's two
/// hand-offs are left. Once `close()` is called (before the loop shuts down), jobs run on the
/// global pool instead, so a task still running then is never dropped.
public final class EventLoopExecutor: TaskExecutor {
    private let loop: any EventLoop
    private let open = Atomic<Bool>(true)

    public init(loop: any EventLoop) {
        self.loop = loop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if open.load(ordering: .acquiring) {
            loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        } else {
            DispatchQueue.global().async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    /// From now on, jobs go to the global pool: call before shutting the loop down.
    public func close() {
        open.store(false, ordering: .releasing)
    }
}
