import Foundation
import MCPClient
import Monitor
import Support

/// Turns monitor events into lines for people or JSON lines for programs, one line per event
/// (`Console.line`: a newline in a server's text cannot forge another). Never prints a secret:
/// tokens appear as their last 4 characters.
struct EventPrinter: Sendable {
    let json: Bool

    func print(_ event: MonitorEvent) {
        guard let (name, text, fields) = describe(event) else { return }
        if json {
            var object: JSONValue = [
                "time": .string(TimeText.iso8601(event.time, fractionDigits: 3)), "server": .string(event.server),
                "event": .string(name),
            ]
            for (key, value) in fields { object[key] = value }
            Console.line(object.serialized())
        } else {
            let label = name.padding(toLength: 9, withPad: " ", startingAt: 0)
            let time = TimeText.clock(event.time, utcOffset: TimeText.localUTCOffset())
            Console.line("\(time)  \(event.server)  \(label) \(text)")
        }
    }

    /// The last line about a server: its last state and, when it was not healthy, why
    /// ("never connected: …", "skipped: …").
    func summary(server: String, verdict: WatchVerdict, state: ConnectionState?) {
        var phase = state?.phase.rawValue ?? "idle"
        var reason = state?.reason ?? "never started"
        if case .skipped(let problem) = verdict {
            phase = "skipped"
            reason = problem
        }
        if let problem = verdict.problem { reason = "\(problem): \(reason)" }
        if json {
            var object: JSONValue = [
                "event": "summary", "server": .string(server), "state": .string(phase), "reason": .string(reason),
                "healthy": .bool(verdict.isHealthy),
            ]
            if let problem = verdict.problem { object["problem"] = .string(problem) }
            Console.line(object.serialized())
        } else {
            Console.line("summary   \(server)  \(phase)  \(reason)")
        }
    }

    private func describe(_ event: MonitorEvent) -> (String, String, [(String, JSONValue)])? {
        switch event.kind {
        case .stateChanged(let state):
            var fields: [(String, JSONValue)] = [
                ("state", .string(state.phase.rawValue)), ("reason", .string(state.reason)),
            ]
            var text = "\(state.phase.rawValue): \(state.reason)"
            if let retryAt = state.retryAt {
                let seconds = max(0, retryAt.timeIntervalSince(event.time))
                fields.append(("retryInSeconds", .double((seconds * 10).rounded() / 10)))
                text = "\(state.phase.rawValue): retry in \(TimeText.duration(seconds)) — \(state.reason)"
            }
            return ("state", text, fields)
        case .tokenChanged(let summary):
            guard let summary else { return ("token", "login forgotten", [("loggedIn", false)]) }
            var fields: [(String, JSONValue)] = [
                ("refreshToken", .bool(summary.hasRefreshToken)), ("refreshCount", .int(Int64(summary.refreshCount))),
            ]
            var text = ""
            if let fingerprint = summary.accessTokenFingerprint {
                fields.append(("accessTokenFingerprint", .string(fingerprint)))
                text += "access token …\(fingerprint)"
            }
            if let expiry = summary.expiresAt {
                fields.append(("expiresAt", .string(TimeText.iso8601(expiry, fractionDigits: 3))))
                text += ", expires in \(TimeText.duration(expiry.timeIntervalSince(event.time)))"
            }
            if let reason = summary.unusableReason {
                fields.append(("needsLogin", .string(reason)))
                text += ", needs login: \(reason)"
            }
            return ("token", text, fields)
        case .refreshed(let outcome):
            switch outcome {
            case .success(let report):
                return ("refresh", report.description, [("ok", true), ("result", .string(report.description))])
            case .failure(let error):
                return ("refresh", "failed: \(error)", [("ok", false), ("error", .string(error.description))])
            }
        case .callStarted(let call):
            return (
                "call", "#\(call.id) \(call.tool) \(call.argumentsDigest)",
                [("id", .int(Int64(call.id))), ("tool", .string(call.tool)), ("phase", "started")]
            )
        case .callProgress(let call):
            guard let progress = call.lastProgress else { return nil }
            let total = progress.total.map { "/\(JSONValue.format($0))" } ?? ""
            return (
                "progress", "#\(call.id) \(JSONValue.format(progress.progress))\(total) \(progress.message ?? "")",
                [("id", .int(Int64(call.id))), ("progress", .double(progress.progress))]
            )
        case .callFinished(let call):
            let duration = call.duration.map(TimeText.elapsed) ?? ""
            let via = call.via.map { " (\($0))" } ?? ""
            var fields: [(String, JSONValue)] = [
                ("id", .int(Int64(call.id))), ("tool", .string(call.tool)),
                ("outcome", .string(call.outcome.rawValue)), ("seconds", .double(call.duration ?? 0)),
            ]
            if let through = call.via { fields.append(("via", .string(through))) }
            return (
                "call", "#\(call.id) \(call.tool) \(call.outcome.rawValue) \(duration)\(via) \(call.detail ?? "")",
                fields
            )
        case .authStep(let step):
            return ("auth", step.description, [("action", .string(step.action)), ("outcome", .string(step.outcome))])
        case .toolsListed(let count):
            return ("tools", NumberText.counted(count, "tool"), [("count", .int(Int64(count)))])
        case .login(let update):
            let (outcome, text): (String, String)
            switch update {
            case .waitingForBrowser(let url, _, _): (outcome, text) = ("waiting", "open to log in: \(url)")
            case .waitingForCode(let prompt):
                (outcome, text) = ("waiting", "enter the code \(prompt.userCode) at \(prompt.verificationURI)")
            case .succeeded(let detail): (outcome, text) = ("ok", detail)
            case .failed(let detail): (outcome, text) = ("failed", "failed: \(detail)")
            case .cancelled: (outcome, text) = ("cancelled", "cancelled; the stored login is unchanged")
            case .notNeeded(let detail): (outcome, text) = ("notNeeded", detail)
            }
            return ("login", text, [("outcome", .string(outcome)), ("message", .string(text))])
        case .sessionRenewed(let text):
            return ("session", text, [("message", .string(text))])
        case .tokenRejected(let expiredAt):
            guard let expiredAt else { return ("rejected", "the server refused the access token (401)", []) }
            let ago = TimeText.duration(event.time.timeIntervalSince(expiredAt))
            return (
                "rejected", "the server refused the access token: it had expired \(ago) ago (401)",
                [("expiredSeconds", .double(event.time.timeIntervalSince(expiredAt)))]
            )
        case .log(let text):
            return ("log", text, [("message", .string(text))])
        case .request:
            return nil  // for traces; the state lines say what a failure meant
        }
    }
}
