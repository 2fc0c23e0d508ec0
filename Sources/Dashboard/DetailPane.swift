import Foundation
import MCPClient
import Monitor
import Support

/// Below the table: the selected server's recent calls and state history on the left, its
/// token facts and authorization timeline on the right. `d` shows all of it in full.
enum DetailPane {
    static func draw(_ screen: inout Screen, _ state: DashboardState, top: Int) {
        guard let server = state.selectedServer, top < screen.height - 3 else { return }
        let rule: Character = screen.unicode ? "─" : "-"
        screen.fill(row: top - 1, from: 0, to: screen.width, role: .border, character: rule)
        screen.write(" \(server.name) ", row: top - 1, column: 2, role: .accent)
        screen.write(
            " \(server.target) ", row: top - 1, column: 4 + DisplayWidth.of(server.name) + 2, role: .dim,
            limit: screen.width / 2)
        let bottom = screen.height - 2
        let leftWidth = screen.width * 3 / 5
        var row = top
        // Left: recent calls, then the state history.
        screen.write("Recent calls", row: row, column: 1, role: .header)
        row += 1
        let calls = server.calls.suffix(max(0, (bottom - top) / 2 - 1)).reversed()
        if calls.isEmpty { screen.write("none yet (t opens the tool pane)", row: row, column: 2, role: .dim) }
        for call in calls where row < bottom {
            screen.write(
                callLine(call, offset: state.utcOffset), row: row, column: 2, role: call.outcome.role,
                limit: leftWidth - 3)
            row += 1
        }
        row = max(row, top + 2) + 1
        if row < bottom {
            screen.write("State history", row: row, column: 1, role: .header)
            row += 1
            for (line, role) in historyLines(server, now: state.now, offset: state.utcOffset) where row < bottom {
                screen.write(line, row: row, column: 2, role: role, limit: leftWidth - 3)
                row += 1
            }
        }
        // Right: token facts and the auth timeline.
        let x = leftWidth + 1
        let width = screen.width - x - 1
        row = top
        screen.write("Token", row: row, column: x, role: .header)
        row += 1
        for (line, role) in tokenFacts(server, now: state.now, offset: state.utcOffset) where row < bottom {
            screen.write(line, row: row, column: x + 1, role: role, limit: width)
            row += 1
        }
        row += 1
        if row < bottom, !server.authSteps.isEmpty {
            screen.write("Auth timeline", row: row, column: x, role: .header)
            row += 1
            for step in server.authSteps.reversed() where row < bottom {
                screen.write(
                    "\(TimeText.clock(step.time, utcOffset: state.utcOffset)) \(step)", row: row, column: x + 1,
                    role: .dim, limit: width)
                row += 1
            }
        }
    }

    static func callLine(_ call: CallRecord, offset: Int) -> String {
        let progress =
            call.lastProgress.map { p in
                call.outcome == .running
                    ? " \(JSONValue.format(p.progress))\(p.total.map { "/\(JSONValue.format($0))" } ?? "")" : ""
            } ?? ""
        let duration = call.duration.map { TimeText.elapsed($0) } ?? "running"
        let via = call.via.map { " (\($0))" } ?? ""
        return
            "\(TimeText.clock(call.startedAt, utcOffset: offset)) \(call.tool) \(duration) \(call.outcome.rawValue)\(progress)\(via) \(call.argumentsDigest)"
    }

    /// The state history, newest first, with routine runs folded into one line each: token
    /// refreshes (refreshing → connected, again and again) and retries in backoff.
    static func historyLines(_ server: ServerSnapshot, now: Date, offset: Int) -> [(String, Role)] {
        func clock(_ date: Date) -> String { TimeText.clock(date, utcOffset: offset) }
        let states = server.history + [server.state]
        var lines: [(String, Role)] = []
        var index = 0
        while index < states.count {
            let first = states[index]
            if first.phase == .refreshing {
                var end = index
                var refreshes: [ConnectionState] = []
                while end < states.count,
                    states[end].phase == .refreshing
                        || (states[end].phase == .connected && end > index && states[end - 1].phase == .refreshing)
                {
                    if states[end].phase == .refreshing { refreshes.append(states[end]) }
                    end += 1
                }
                if refreshes.count >= 2, let last = refreshes.last {
                    let ago = TimeText.countdown(now.timeIntervalSince(last.since))
                    lines.append(("\(clock(first.since)) refreshed ×\(refreshes.count), last \(ago) ago", .ok))
                    index = end
                    continue
                }
            }
            if first.phase == .connecting || first.phase == .backoff {
                var end = index
                var retries: [ConnectionState] = []
                while end < states.count, states[end].phase == .connecting || states[end].phase == .backoff {
                    if states[end].phase == .backoff { retries.append(states[end]) }
                    end += 1
                }
                if retries.count >= 2, let last = retries.last {
                    lines.append(("\(clock(first.since)) backoff ×\(retries.count), last: \(last.reason)", .warn))
                    index = end
                    continue
                }
            }
            lines.append(("\(clock(first.since)) \(first.phase.rawValue): \(first.reason)", first.phase.role))
            index += 1
        }
        return lines.reversed()
    }

    /// What is true of the login now; nothing that stopped being true is shown as true.
    static func tokenFacts(_ server: ServerSnapshot, now: Date, offset: Int) -> [(String, Role)] {
        var lines: [(String, Role)] = []
        if let pending = server.pendingLogin {
            lines.append(
                ("login pending since \(TimeText.clock(pending.startedAt, utcOffset: offset)) (a cancels)", .accent))
            if let device = pending.device {
                lines.append(("enter the code \(device.userCode) at \(device.verificationURI)", .accent))
            }
        }
        if let stepUp = server.stepUpScopes, !stepUp.isEmpty {
            lines.append(
                ("the server asked for the scopes \(stepUp.joined(separator: " ")) (a logs in with them)", .warn))
        }
        guard let token = server.token else {
            if server.configProblem != nil {
                lines.append(("no login: the config entry cannot be used", .dim))
            } else if !server.usesOAuth {
                lines.append(
                    (server.transport == "stdio" ? "stdio: no login" : "no OAuth login for this server", .dim))
            } else if server.state.phase == .connected {
                lines.append(("no login needed: the server answered without one", .dim))
            } else {
                lines.append(("no login stored (a logs in)", .dim))
            }
            return lines
        }
        let refused = token.unusableReason != nil
        if let reason = token.unusableReason { lines.append(("needs login: \(reason)", .error)) }
        if let expiry = token.expiresAt {
            let left = expiry.timeIntervalSince(now)
            lines.append(
                (
                    left > 0 ? "expires in \(TimeText.countdown(left))" : "expired \(TimeText.countdown(-left)) ago",
                    left > 0 ? .ok : .error
                ))
        } else {
            lines.append(("expiry unknown (no expires_in)", .warn))
        }
        let waiting: Set<ConnectionState.Phase> = [.needsLogin, .failed, .config]
        if let due = server.refreshDue, !refused, !waiting.contains(server.state.phase) {
            lines.append(("next refresh in \(TimeText.countdown(due.timeIntervalSince(now)))", .normal))
        }
        lines.append(("access token …\(token.accessTokenFingerprint ?? "????")", .normal))
        if !token.hasRefreshToken {
            lines.append(("refresh token: none", .warn))
        } else if refused {
            lines.append(("refresh token: refused by the server", .error))
        } else {
            lines.append(("refresh token: yes", .normal))
        }
        if let end = token.refreshTokenExpiresAt, !refused {
            let left = end.timeIntervalSince(now)
            lines.append(
                (
                    left > 0 ? "refresh token valid for \(TimeText.countdown(left))" : "refresh token expired",
                    left < 86400 ? .warn : .normal
                ))
        }
        if let last = token.lastRefreshAt {
            lines.append(
                (
                    "last refresh \(TimeText.countdown(now.timeIntervalSince(last))) ago: \(token.lastRefreshResult ?? "")",
                    .normal
                ))
        }
        lines.append(("refreshes: \(token.refreshCount)", .dim))
        if !token.scopes.isEmpty { lines.append(("scopes: \(token.scopes.joined(separator: " "))", .normal)) }
        lines.append(("issuer: \(token.issuer)", .dim))
        if let account = token.account { lines.append(("account: \(account)", .normal)) }
        lines.append(("client: \(token.clientID)", .dim))
        return lines
    }
}
