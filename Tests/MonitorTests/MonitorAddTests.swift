import DemoServer
import Foundation
import Monitor
import Testing

/// Servers added to a running monitor (the dashboard's import) are watched at once, beside the
/// ones it started with; a name already watched is not added twice.
@Suite struct MonitorAddTests {
    @Test func aServerAddedWhileRunningConnectsAndANameAlreadyWatchedIsKept() async throws {
        let first = DemoServer()
        let second = DemoServer()
        _ = try await first.start()
        _ = try await second.start()
        let monitor = Monitor(specs: [spec(first, name: "first")], store: temporaryStore())
        monitor.start()
        #expect(await eventually("first connected") { await monitor.snapshots().first?.state.phase == .connected })

        #expect(monitor.add([spec(second, name: "second"), spec(second, name: "first")]) == ["second"])
        #expect(monitor.supervisors.map(\.spec.name) == ["first", "second"])
        #expect(
            await eventually("second connected") {
                await monitor.supervisor(named: "second")?.snapshot().state.phase == .connected
            })
        #expect(await monitor.snapshots().map(\.name) == ["first", "second"])

        #expect(await monitor.stop(), "the added supervisor stops with the rest")
        await first.stop()
        await second.stop()
    }

    @Test func aServerAddedBeforeStartIsStartedOnce() async throws {
        let server = DemoServer()
        _ = try await server.start()
        let monitor = Monitor(specs: [], store: temporaryStore())
        #expect(monitor.add([spec(server, name: "early")]) == ["early"])
        monitor.start()
        #expect(await eventually("connected") { await monitor.snapshots().first?.state.phase == .connected })
        #expect(monitor.supervisors.count == 1)
        #expect(await monitor.stop())
        await server.stop()
    }
}
