import Foundation
import MCPClient
import Monitor

/// Keys in the tool pane: choose a tool, fill its form (or raw JSON), run, read the result.
enum ToolPaneReducer {
    static func handle(_ key: Key, pane: inout ToolPaneState, state: inout DashboardState) -> [Effect] {
        let running = pane.callID.flatMap { id in call(id, of: pane.server, in: state) }?.outcome == .running
        if pane.editing { return edit(key, pane: &pane, state: &state) }
        switch key {
        case .escape:
            if running, let id = pane.callID {
                Reducer.say("cancelling the call…", .warn, in: &state)
                return [.cancelCall(server: pane.server, id: id)]
            }
            if pane.focus == .result && pane.callID != nil {
                pane.focus = .form
                return []
            }
            state.overlay = nil
        case .tab:
            pane.focus = pane.focus == .tools ? .form : pane.focus == .form ? .result : .tools
        case .backTab:
            pane.focus = pane.focus == .tools ? .result : pane.focus == .form ? .tools : .form
        case .function(2):
            pane.rawMode.toggle()
            if pane.rawMode, let form = pane.form, case .success(let arguments) = form.arguments() {
                pane.rawText = arguments.prettyPrinted()
            }
            pane.errors = [:]
        case .function(5), .character("R"):
            return run(&pane, state: &state)
        case .up, .character("k"):
            move(-1, pane: &pane)
        case .down, .character("j"):
            move(1, pane: &pane)
        case .pageUp:
            if pane.focus == .result { pane.resultScroll = max(0, pane.resultScroll - 10) }
        case .pageDown:
            if pane.focus == .result { pane.resultScroll += 10 }
        case .enter:
            switch pane.focus {
            case .tools:
                pane.focus = .form
            case .form:
                if pane.rawMode {
                    pane.editing = true
                } else {
                    activateField(&pane)
                }
            case .result:
                break
            }
        case .left, .right:
            if pane.focus == .form, !pane.rawMode { cycleField(&pane, forward: key == .right) }
        case .character("q"):
            state.overlay = nil
        default:
            break
        }
        return []
    }

    private static func move(_ delta: Int, pane: inout ToolPaneState) {
        switch pane.focus {
        case .tools:
            guard !pane.tools.isEmpty else { return }
            let next = min(max(0, pane.selectedTool + delta), pane.tools.count - 1)
            if next != pane.selectedTool {
                pane.selectedTool = next
                pane.choose(pane.tools[next])
            }
        case .form:
            let count = pane.form?.fields.count ?? 0
            guard count > 0 else { return }
            pane.selectedField = min(max(0, pane.selectedField + delta), count - 1)
        case .result:
            pane.resultScroll = max(0, pane.resultScroll + delta)
        }
    }

    /// Enter on a field: booleans toggle, enums cycle, everything else opens for typing.
    private static func activateField(_ pane: inout ToolPaneState) {
        guard var form = pane.form, form.fields.indices.contains(pane.selectedField) else { return }
        switch form.fields[pane.selectedField].kind {
        case .boolean, .enumeration:
            cycle(&form.fields[pane.selectedField], forward: true)
            pane.form = form
        default:
            pane.editing = true
        }
    }

    private static func cycleField(_ pane: inout ToolPaneState, forward: Bool) {
        guard var form = pane.form, form.fields.indices.contains(pane.selectedField) else { return }
        cycle(&form.fields[pane.selectedField], forward: forward)
        pane.form = form
    }

    private static func cycle(_ field: inout ToolForm.Field, forward: Bool) {
        switch field.kind {
        case .boolean: field.toggle()
        case .enumeration: if forward { field.next() } else { field.previous() }
        default: break
        }
    }

    /// Typing into a field or the raw editor; Enter (or Esc) ends it.
    private static func edit(_ key: Key, pane: inout ToolPaneState, state: inout DashboardState) -> [Effect] {
        func change(_ update: (inout String) -> Void) {
            if pane.rawMode {
                update(&pane.rawText)
            } else if var form = pane.form, form.fields.indices.contains(pane.selectedField) {
                update(&form.fields[pane.selectedField].text)
                pane.form = form
            }
        }
        switch key {
        case .enter:
            if pane.rawMode {
                change { $0.append("\n") }
            } else {
                pane.editing = false
                pane.errors = pane.form?.validate() ?? [:]
            }
        case .escape:
            pane.editing = false
            if pane.rawMode, case .failure(let error) = ToolForm.parseRaw(pane.rawText) {
                pane.errors = ["": "\(error)"]
            } else if !pane.rawMode {
                pane.errors = pane.form?.validate() ?? [:]
            }
        case .backspace:
            change { if !$0.isEmpty { $0.removeLast() } }
        case .character(let character):
            change { $0.append(character) }
        case .tab:
            change { $0.append("  ") }
        case .function(5):
            pane.editing = false
            return run(&pane, state: &state)
        default:
            break
        }
        return []
    }

    /// Validates at the field first; only a valid form is sent.
    private static func run(_ pane: inout ToolPaneState, state: inout DashboardState) -> [Effect] {
        guard pane.tools.indices.contains(pane.selectedTool) else { return [] }
        let tool = pane.tools[pane.selectedTool]
        let arguments: JSONValue
        if pane.rawMode {
            switch ToolForm.parseRaw(pane.rawText) {
            case .success(let value): arguments = value
            case .failure(let error):
                pane.errors = ["": "\(error)"]
                Reducer.say("the JSON is not valid: \(error)", .error, in: &state)
                return []
            }
        } else {
            guard let form = pane.form else { return [] }
            let errors = form.validate()
            pane.errors = errors
            guard errors.isEmpty else {
                Reducer.say("fix the marked fields first", .error, in: &state)
                if let first = form.fields.firstIndex(where: { errors[$0.path.joined(separator: ".")] != nil }) {
                    pane.selectedField = first
                    pane.focus = .form
                }
                return []
            }
            switch form.arguments() {
            case .success(let value): arguments = value
            case .failure(let error):
                Reducer.say("\(error)", .error, in: &state)
                return []
            }
        }
        pane.callID = nil
        Reducer.say("calling \(tool.name)…", in: &state)
        return [.callTool(server: pane.server, tool: tool.name, arguments: arguments)]
    }

    static func call(_ id: Int, of server: String, in state: DashboardState) -> CallRecord? {
        state.servers.first { $0.name == server }?.calls.last { $0.id == id }
    }
}

/// Draws the tool pane over the main screen.
enum ToolPaneView {
    static func draw(_ screen: inout Screen, pane: ToolPaneState, state: DashboardState) {
        let top = 1
        let bottom = screen.height - 2
        let left = 0
        let right = screen.width
        for row in top..<bottom { screen.fill(row: row, from: left, to: right, role: .popup) }
        let title = " \(pane.server) — tools  (Tab moves, Enter edits, F5 runs, F2 raw JSON, Esc back) "
        screen.fill(row: top, from: left, to: right, role: .border, character: screen.unicode ? "─" : "-")
        screen.write(title, row: top, column: left + 1, role: .title, limit: right - left - 2)
        let listWidth = min(28, (right - left) / 4)
        // Tools.
        var row = top + 1
        if pane.tools.isEmpty { screen.write("no tools", row: row, column: left + 1, role: .dim) }
        let firstTool = max(0, pane.selectedTool - (bottom - top - 3))
        for (index, tool) in pane.tools.enumerated().dropFirst(firstTool) where row < bottom {
            let selected = index == pane.selectedTool
            let role: Role = selected ? (pane.focus == .tools ? .selected : .accent) : .popup
            screen.write(DisplayWidth.pad(" " + tool.name, to: listWidth), row: row, column: left, role: role)
            row += 1
        }
        let x = left + listWidth + 1
        let width = right - x - 1
        let split = top + 1 + (bottom - top - 1) / 2
        row = top + 1
        guard pane.tools.indices.contains(pane.selectedTool) else { return }
        let tool = pane.tools[pane.selectedTool]
        if let description = tool.description {
            screen.write(description, row: row, column: x, role: .dim, limit: width)
            row += 1
        }
        row += 1
        if pane.rawMode {
            screen.write("Arguments (raw JSON)", row: row, column: x, role: .header)
            row += 1
            for line in pane.rawText.split(separator: "\n", omittingEmptySubsequences: false) where row < split {
                let role: Role = pane.editing ? .inputFocused : pane.focus == .form ? .input : .popup
                screen.write(String(line), row: row, column: x, role: role, limit: width)
                row += 1
            }
            if let error = pane.errors[""], row < split {
                screen.write(error, row: row, column: x, role: .error, limit: width)
                row += 1
            }
        } else if let form = pane.form {
            if form.fields.isEmpty { screen.write("this tool takes no arguments", row: row, column: x, role: .dim) }
            let labelWidth = min(24, max(8, form.fields.map { DisplayWidth.of($0.label) + 2 }.max() ?? 8))
            let first = max(0, pane.selectedField - (split - row - 2))
            for (index, field) in form.fields.enumerated().dropFirst(first) where row < split {
                let selected = index == pane.selectedField && pane.focus == .form
                let mark = field.required ? "*" : " "
                screen.write(
                    DisplayWidth.pad(mark + field.label, to: labelWidth), row: row, column: x,
                    role: selected ? .selected : .popup)
                var value = field.text
                if selected && pane.editing { value += screen.unicode ? "▏" : "_" }
                if case .boolean = field.kind { value = field.text == "true" ? "[x] true" : "[ ] false" }
                if case .enumeration(let values) = field.kind {
                    value = "‹ \(field.text.isEmpty ? "(none)" : field.text) ›  of \(values.joined(separator: ", "))"
                }
                let role: Role = selected && pane.editing ? .inputFocused : .input
                let end = screen.write(
                    DisplayWidth.pad(value, to: max(8, width / 2)), row: row, column: x + labelWidth, role: role)
                let key = field.path.joined(separator: ".")
                if let error = pane.errors[key] {
                    screen.write(" ✖ \(error)", row: row, column: end, role: .error, limit: right - end - 1)
                } else if let hint = field.description, selected {
                    screen.write(" \(hint)", row: row, column: end, role: .dim, limit: right - end - 1)
                }
                row += 1
            }
        }
        // Result.
        screen.fill(row: split, from: x, to: right - 1, role: .border, character: screen.unicode ? "─" : "-")
        screen.write(" Result ", row: split, column: x + 1, role: pane.focus == .result ? .selected : .header)
        row = split + 1
        guard let id = pane.callID, let call = ToolPaneReducer.call(id, of: pane.server, in: state) else {
            screen.write("F5 runs \(tool.name)", row: row, column: x, role: .dim)
            return
        }
        var header = "#\(call.id) \(call.tool): \(call.outcome.rawValue)"
        if let duration = call.duration { header += " in \(Renderer.milliseconds(duration))" }
        if call.outcome == .running, let progress = call.lastProgress {
            header += " — \(JSONValue.format(progress.progress))"
            if let total = progress.total { header += "/\(JSONValue.format(total))" }
            if let message = progress.message { header += " \(message)" }
            header += "  (Esc cancels)"
        }
        screen.write(header, row: row, column: x, role: call.outcome.role, limit: width)
        row += 1
        var lines: [(String, Role)] = []
        if let result = call.result {
            let role: Role = result.isError ? .error : .popup
            for line in result.summaryLines {
                for piece in line.split(separator: "\n", omittingEmptySubsequences: false) {
                    lines.append((String(piece), role))
                }
            }
            if let structured = result.structuredContent {
                lines.append(("structuredContent:", .header))
                for piece in structured.prettyPrinted().split(separator: "\n") {
                    lines.append((String(piece), .accent))
                }
            }
        } else if let detail = call.detail {
            lines.append((detail, call.outcome.role))
        }
        for (line, role) in lines.dropFirst(pane.resultScroll) where row < bottom {
            screen.write(line, row: row, column: x, role: role, limit: width)
            row += 1
        }
    }
}
