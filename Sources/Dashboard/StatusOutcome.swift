import Foundation
import MCPClient
import Monitor
import Support

/// Monitor events as the dashboard tells them: a line in the event log each, the outcome of
/// whatever the status line said was under way, and the login popup opened and closed.
enum StatusOutcome {
    static func record(_ event: MonitorEvent, in state: inout DashboardState) {
        let server = event.server
        let awaiting = state.status?.awaiting
        let line: String?
        switch event.kind {
        case .stateChanged(let connection):
            line = "\(connection.phase.rawValue): \(connection.reason)"
            if awaiting == .reconnect(server: server) {
                switch connection.phase {
                case .connected: Reducer.say("\(server): reconnected (\(connection.reason))", .ok, in: &state)
                case .backoff, .needsLogin, .failed, .config:
                    Reducer.say("\(server): reconnect failed: \(connection.reason)", .error, in: &state)
                case .idle, .connecting, .authorizing, .refreshing: break
                }
            } else if connection.phase == .needsLogin {
                Reducer.say("\(server) needs a login — select it and press a", .warn, in: &state)
            }
        case .refreshed(.success(let report)):
            line = "refresh: \(report)"
            Reducer.say("\(server): token refreshed (\(report))", .ok, in: &state)
        case .refreshed(.failure(let error)):
            line = "refresh failed: \(error)"
            Reducer.say("\(error)", .error, in: &state)
        case .tokenChanged(let summary):
            line = summary.map { "token …\($0.accessTokenFingerprint ?? "")" } ?? "login forgotten"
        case .callStarted(let call):
            line = "call #\(call.id) \(call.tool) \(call.argumentsDigest)"
        case .callProgress:
            line = nil
        case .callFinished(let call):
            line = "call #\(call.id) \(call.tool) \(call.outcome.rawValue) \(call.detail ?? "")"
            if case .call(server, _, call.id)? = awaiting { finished(call, server: server, in: &state) }
        case .authStep(let step):
            line = "auth: \(step)"
        case .toolsListed(let count):
            line = NumberText.counted(count, "tool")
        case .login(let update):
            line = login(update, server: server, in: &state)
        case .sessionRenewed(let text):
            line = text
        case .tokenRejected(let expiredAt):
            line = "the server refused the access token (401)\(expiredAt == nil ? "" : "; it had expired")"
        case .log(let text):
            line = text
        case .request:
            line = nil
        }
        if let line {
            let time = TimeText.clock(event.time, utcOffset: state.utcOffset)
            state.log.append("\(time) \(server): \(line)")
        }
    }

    private static func finished(_ call: CallRecord, server: String, in state: inout DashboardState) {
        let took = call.duration.map { " in \(TimeText.elapsed($0))" } ?? ""
        switch call.outcome {
        case .running: return
        case .ok: Reducer.say("\(server): \(call.tool) ok\(took)", .ok, in: &state)
        case .cancelled: Reducer.say("\(server): \(call.tool) cancelled\(took)", .warn, in: &state)
        case .isError, .protocolError, .authError:
            Reducer.say(
                "\(server): \(call.tool) failed\(took): \(call.detail ?? call.outcome.rawValue)", .error, in: &state)
        }
    }

    /// Opens the popup with the URL, closes it when the login ends; returns the log line.
    private static func login(_ update: LoginUpdate, server: String, in state: inout DashboardState) -> String {
        if case .waitingForBrowser(let url, _, let offersDeviceLogin) = update {
            if state.overlay == nil {
                state.overlay = .loginURL(server: server, url: url, offersDeviceLogin: offersDeviceLogin)
            }
            Reducer.say(
                "\(server): waiting for the browser login (a again cancels it)", awaiting: .login(server: server),
                in: &state)
            return "open to log in: \(url)"
        }
        if case .waitingForCode(let prompt) = update {
            if state.overlay == nil {
                state.overlay = .deviceCode(
                    server: server, userCode: prompt.userCode, verificationURI: prompt.verificationURI,
                    complete: prompt.verificationURIComplete)
            }
            Reducer.say(
                "\(server): waiting for the code \(prompt.userCode) at \(prompt.verificationURI) (a again cancels it)",
                awaiting: .login(server: server), in: &state)
            return "enter the code \(prompt.userCode) at \(prompt.verificationURI)"
        }
        if case .loginURL(server, _, _)? = state.overlay { state.overlay = nil }
        if case .deviceCode(server, _, _, _)? = state.overlay { state.overlay = nil }
        switch update {
        case .waitingForBrowser, .waitingForCode: return ""
        case .succeeded(let detail):
            Reducer.say("\(server): \(detail)", .ok, in: &state)
            return "login: \(detail)"
        case .failed(let detail):
            Reducer.say("\(server): login failed: \(detail) (the stored login is unchanged)", .error, in: &state)
            return "login failed: \(detail)"
        case .cancelled:
            Reducer.say(
                "\(server): login cancelled; the connection and the stored login are unchanged", .warn, in: &state)
            return "login cancelled"
        case .notNeeded(let detail):
            Reducer.say("\(server): \(detail)", .warn, in: &state)
            return detail
        }
    }
}

extension Character {
    /// C0 and C1 controls and DEL: never typed into a field or a filter.
    var isControlCharacter: Bool {
        unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }
}
