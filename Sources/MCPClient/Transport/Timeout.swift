import Support

/// Runs `operation`, failing with `.timeout` when it takes longer than `seconds`; the
/// operation is cancelled then, which cancels its HTTP transfer. For the wires whose requests
/// have no time limit of their own (stdio, the legacy SSE stream).
func withTimeout<T: Sendable>(
    _ seconds: Double, server: String, _ operation: @escaping @Sendable () async throws(MCPError) -> T
) async throws(MCPError) -> T {
    let work = Task { () async -> Result<T, MCPError> in
        do throws(MCPError) {
            return .success(try await operation())
        } catch {
            return .failure(error)
        }
    }
    let deadline = Deadlines.shared.schedule(after: seconds) { work.cancel() }
    let outcome = await withTaskCancellationHandler {
        await work.value
    } onCancel: {
        work.cancel()
    }
    let timedOut = !Deadlines.shared.cancel(deadline)
    if case .failure = outcome, timedOut {
        throw MCPError(server: server, .timeout(seconds: seconds))
    }
    return try outcome.get()
}
