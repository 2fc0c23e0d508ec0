import Support

/// The lines `mcptop import` prints, and the dashboard's status line shortens: what was read,
/// then each server with what happened to it and why.
public enum ImportSummary {
    public static func lines(_ plan: ImportPlan, reads: [ForeignConfigRead], dryRun: Bool) -> [String] {
        var lines: [String] = []
        for read in reads {
            // A failure starts with the file's path, already on the line.
            let what =
                read.failure.map { failure in
                    let detail =
                        failure.hasPrefix(read.file.path)
                        ? String(failure.dropFirst(read.file.path.count).drop { $0 == ":" || $0 == " " }) : failure
                    return "malformed, skipped: \(detail)"
                }
                ?? NumberText.counted(read.servers.count, "server")
            lines.append("\(read.file.client.displayName) (\(read.file.scope.rawValue)) \(read.file.path): \(what)")
        }
        if !reads.isEmpty { lines.append("") }
        let verbs = dryRun ? ("would add", "would replace") : ("added", "replaced")
        for outcome in plan.outcomes {
            let server = outcome.server
            let from =
                "from \(server.origin)" + (server.entry?["disabled"] == true ? " (disabled there, and here)" : "")
            switch outcome.action {
            case .add: lines.append("\(verbs.0) \(server.name) (\(server.target)) \(from)")
            case .replace: lines.append("\(verbs.1) \(server.name) (\(server.target)) \(from) (--force)")
            case .skip(let reason): lines.append("skipped \(server.name) \(from): \(reason)")
            }
            if outcome.action == .add || outcome.action == .replace, !server.ignoredSettings.isEmpty {
                lines.append("  not carried over: \(server.ignoredSettings.joined(separator: ", "))")
            }
        }
        let added = plan.outcomes.filter { $0.action == .add }.count
        let replaced = plan.outcomes.filter { $0.action == .replace }.count
        let skipped = plan.outcomes.count - added - replaced
        lines.append(
            "\(added) \(dryRun ? "to add" : "added"), \(replaced) \(dryRun ? "to replace" : "replaced"), "
                + "\(skipped) skipped, \(NumberText.counted(plan.failures.count, "malformed file"))")
        return lines
    }
}
