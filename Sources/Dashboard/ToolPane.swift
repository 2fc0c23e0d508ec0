import Foundation
import MCPClient
import Monitor
import Support

/// Keys in the tool pane: choose a tool, fill its form (or raw JSON), run, read the result.
enum ToolPaneReducer {
    static func handle(_ key: Key, pane: inout ToolPaneState, state: inout DashboardState) -> [Effect] {
        if case .click = key { return [] }
        if pane.editing { return edit(key, pane: &pane, state: &state) }
        if pane.focus == .form, startsEditing(key, pane: pane) {
            beginEditing(&pane)
            return edit(key, pane: &pane, state: &state)
        }
        let layout = ToolPaneLayout(pane: pane, width: state.width, height: state.height)
        switch key {
        case .escape:
            let running = pane.callID.flatMap { id in call(id, of: pane.server, in: state) }?.outcome == .running
            if running, let id = pane.callID {
                let tool = call(id, of: pane.server, in: state)?.tool ?? ""
                Reducer.say(
                    "cancelling the call…", .warn, awaiting: .call(server: pane.server, tool: tool, id: id), in: &state)
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
            switchMode(&pane, state: &state)
        case .function(5), .character("R"):
            return run(&pane, state: &state)
        case .up, .character("k"):
            move(-1, pane: &pane, state: state)
        case .down, .character("j"):
            move(1, pane: &pane, state: state)
        case .pageUp:
            move(-max(1, pane.focus == .result ? layout.resultHeight - 1 : 10), pane: &pane, state: state)
        case .pageDown:
            move(max(1, pane.focus == .result ? layout.resultHeight - 1 : 10), pane: &pane, state: state)
        case .home:
            move(-Int(Int32.max), pane: &pane, state: state)
        case .end:
            move(Int(Int32.max), pane: &pane, state: state)
        case .enter:
            switch pane.focus {
            case .tools:
                pane.focus = .form
            case .form:
                if pane.rawMode {
                    beginEditing(&pane)
                } else {
                    activateField(&pane)
                }
            case .result:
                break
            }
        case .left, .right, .character(" "):
            if pane.focus == .form, !pane.rawMode { cycleField(&pane, forward: key != .left) }
        case .character("y"):
            if pane.focus == .result { return copy(pane, state: &state) }
        case .character("q"):
            state.overlay = nil
        default:
            break
        }
        return []
    }

    // MARK: Moving

    private static func move(_ delta: Int, pane: inout ToolPaneState, state: DashboardState) {
        switch pane.focus {
        case .tools:
            guard !pane.tools.isEmpty else { return }
            let next = clamp(pane.selectedTool, by: delta, count: pane.tools.count)
            if next != pane.selectedTool {
                pane.selectedTool = next
                pane.choose(pane.tools[next])
            }
        case .form:
            guard !pane.rawMode else { return }
            let count = pane.form?.fields.count ?? 0
            guard count > 0 else { return }
            pane.selectedField = clamp(pane.selectedField, by: delta, count: count)
        case .result:
            let layout = ToolPaneLayout(pane: pane, width: state.width, height: state.height)
            let rows = ToolPaneView.resultRows(pane: pane, state: state, width: layout.width).count
            let last = max(0, rows - layout.resultHeight)
            pane.resultScroll = min(max(0, min(pane.resultScroll, last) + clampedDelta(delta)), last)
        }
    }

    private static func clamp(_ index: Int, by delta: Int, count: Int) -> Int {
        min(max(0, index + clampedDelta(delta)), count - 1)
    }

    /// Home and End move by a huge step; keep the sum from overflowing.
    private static func clampedDelta(_ delta: Int) -> Int { min(max(delta, -1 << 40), 1 << 40) }

    // MARK: Fields

    /// Enter on a field: booleans toggle, enums cycle, everything else opens for typing.
    private static func activateField(_ pane: inout ToolPaneState) {
        guard let field = selectedField(pane) else { return }
        switch field.kind {
        case .boolean, .enumeration:
            cycleField(&pane, forward: true)
        default:
            beginEditing(&pane)
        }
    }

    static func selectedField(_ pane: ToolPaneState) -> ToolForm.Field? {
        guard let form = pane.form, form.fields.indices.contains(pane.selectedField) else { return nil }
        return form.fields[pane.selectedField]
    }

    private static func cycleField(_ pane: inout ToolPaneState, forward: Bool) {
        guard var form = pane.form, form.fields.indices.contains(pane.selectedField) else { return }
        if forward { form.fields[pane.selectedField].next() } else { form.fields[pane.selectedField].previous() }
        pane.form = form
        revalidate(&pane, adding: nil)
    }

    /// Whether a key on the form (not yet editing) starts editing: typing (or Backspace, or a
    /// cursor key) on a text field, as in any form; in the raw editor any editing key but Tab.
    private static func startsEditing(_ key: Key, pane: ToolPaneState) -> Bool {
        if pane.rawMode { return key != .tab && key != .enter && pane.rawEditor.handles(key) }
        guard let field = selectedField(pane) else { return false }
        switch field.kind {
        case .boolean, .enumeration: return false
        default: return TextEditor(field.text).handles(key)
        }
    }

    private static func beginEditing(_ pane: inout ToolPaneState) {
        if !pane.rawMode {
            guard let field = selectedField(pane) else { return }
            pane.fieldEditor = TextEditor(field.text)
        }
        pane.editing = true
    }

    // MARK: Editing

    /// Keys while a field or the raw JSON is being edited. Enter (a field) or Esc ends it.
    private static func edit(_ key: Key, pane: inout ToolPaneState, state: inout DashboardState) -> [Effect] {
        let layout = ToolPaneLayout(pane: pane, width: state.width, height: state.height)
        if pane.rawMode {
            switch key {
            case .escape:
                pane.editing = false
                checkRaw(&pane)
            case .backTab:
                pane.editing = false
                pane.focus = .tools
            case .function(2):
                pane.editing = false
                switchMode(&pane, state: &state)
            case .function(5):
                pane.editing = false
                return run(&pane, state: &state)
            case .pageUp, .pageDown:
                for _ in 0..<max(1, layout.rawHeight - 1) { pane.rawEditor.apply(key == .pageUp ? .up : .down) }
            default:
                let before = pane.rawEditor.characters
                pane.rawEditor.apply(key)
                if pane.rawEditor.characters != before, pane.errors[""] != nil { checkRaw(&pane) }
            }
            pane.rawEditor.scroll(toShowCursorIn: layout.width, height: layout.rawHeight)
            return []
        }
        switch key {
        case .enter, .escape:
            finishField(&pane)
        case .up, .down:
            finishField(&pane)
            move(key == .up ? -1 : 1, pane: &pane, state: state)
        case .tab:
            finishField(&pane)
            pane.focus = .result
        case .backTab:
            finishField(&pane)
            pane.focus = .tools
        case .function(2):
            finishField(&pane)
            switchMode(&pane, state: &state)
        case .function(5):
            finishField(&pane)
            return run(&pane, state: &state)
        default:
            guard pane.fieldEditor.apply(key), var form = pane.form, form.fields.indices.contains(pane.selectedField)
            else { break }
            let text = pane.fieldEditor.text
            if form.fields[pane.selectedField].text != text {
                form.fields[pane.selectedField].text = text
                pane.form = form
                revalidate(&pane, adding: nil)
            }
            pane.fieldEditor.scroll(toShowCursorIn: layout.valueWidth)
        }
        return []
    }

    private static func finishField(_ pane: inout ToolPaneState) {
        pane.editing = false
        revalidate(&pane, adding: selectedField(pane)?.key)
    }

    /// Refreshes the errors already shown (so one disappears once its field is fixed), and
    /// checks `key` too, the field just left.
    private static func revalidate(_ pane: inout ToolPaneState, adding key: String?) {
        guard let form = pane.form else { return }
        let keys = pane.errors.keys.filter { !$0.isEmpty } + (key.map { [$0] } ?? [])
        guard !keys.isEmpty else { return }
        let current = form.validate()
        for key in keys { pane.errors[key] = current[key] }
    }

    /// The raw editor's error, checked again: the JSON syntax, and when the error came from
    /// F2, also whether the form can take it.
    private static func checkRaw(_ pane: inout ToolPaneState) {
        switch ToolForm.parseRaw(pane.rawText) {
        case .failure(let error):
            pane.errors[""] = error.message
        case .success(let value):
            if pane.rawErrorIsFromSwitch, let form = pane.form, case .failure(let error) = form.filling(from: value) {
                pane.errors[""] = error.description
            } else {
                pane.errors[""] = nil
            }
        }
    }

    // MARK: F2

    /// Form → raw JSON carries the form's values (a fresh form shows the schema's skeleton);
    /// raw JSON → form fills the fields from the JSON, or refuses and stays with the reason.
    private static func switchMode(_ pane: inout ToolPaneState, state: inout DashboardState) {
        guard pane.tools.indices.contains(pane.selectedTool) else { return }
        if !pane.rawMode {
            if let form = pane.form {
                let tool = pane.tools[pane.selectedTool]
                pane.rawText =
                    form.isUntouched ? ToolForm.rawEditorText(schema: tool.inputSchema) : form.rawEditorText()
            }
            pane.rawTextOnEntry = pane.rawText
            pane.rawMode = true
            pane.errors = [:]
            pane.rawErrorIsFromSwitch = false
            return
        }
        guard let form = pane.form, pane.rawText != pane.rawTextOnEntry else {
            // Nothing changed in the raw JSON: the form is as it was.
            pane.rawMode = false
            pane.errors = [:]
            return
        }
        let filled: ToolForm
        switch ToolForm.parseRaw(pane.rawText) {
        case .failure(let error):
            refuseSwitch(&pane, "the JSON is not valid: \(error.description)", error, fromSwitch: false, state: &state)
            return
        case .success(let arguments):
            switch form.filling(from: arguments) {
            case .failure(let error):
                refuseSwitch(&pane, error.description, error, fromSwitch: true, state: &state)
                return
            case .success(let form):
                filled = form
            }
        }
        pane.form = filled
        pane.rawMode = false
        pane.rawErrorIsFromSwitch = false
        pane.errors = filled.validate()
        pane.selectedField = min(pane.selectedField, max(0, filled.fields.count - 1))
    }

    /// F2 stays in the raw editor: the reason under it and on the status line.
    private static func refuseSwitch(
        _ pane: inout ToolPaneState, _ problem: String, _ error: ToolFormError, fromSwitch: Bool,
        state: inout DashboardState
    ) {
        pane.errors = ["": error.description]
        pane.rawErrorIsFromSwitch = fromSwitch
        Reducer.say("F2: \(problem) — fix it to go back to the form", .error, in: &state)
    }

    // MARK: Running and copying

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
                pane.rawErrorIsFromSwitch = false
                Reducer.say("the JSON is not valid: \(error)", .error, in: &state)
                return []
            }
        } else {
            guard let form = pane.form else { return [] }
            let errors = form.validate()
            pane.errors = errors
            guard errors.isEmpty else {
                Reducer.say("fix the marked fields first", .error, in: &state)
                if let first = form.fields.firstIndex(where: { errors[$0.key] != nil }) {
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
        Reducer.say(
            "calling \(tool.name)…", awaiting: .call(server: pane.server, tool: tool.name, id: nil), in: &state)
        return [.callTool(server: pane.server, tool: tool.name, arguments: arguments)]
    }

    /// `y` on the result: its text to the clipboard.
    private static func copy(_ pane: ToolPaneState, state: inout DashboardState) -> [Effect] {
        guard let id = pane.callID, let call = call(id, of: pane.server, in: state),
            let text = ToolPaneView.resultText(call)
        else {
            Reducer.say("no result to copy yet — F5 runs the tool", .warn, in: &state)
            return []
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        Reducer.say("copied the result (\(NumberText.counted(lines, "line"))) to the clipboard", .ok, in: &state)
        return [.copy(text)]
    }

    static func call(_ id: Int, of server: String, in state: DashboardState) -> CallRecord? {
        state.servers.first { $0.name == server }?.calls.last { $0.id == id }
    }
}

/// Draws the tool pane over the main screen.
enum ToolPaneView {
    static func draw(_ screen: inout Screen, pane: ToolPaneState, state: DashboardState) {
        let layout = ToolPaneLayout(pane: pane, width: screen.width, height: screen.height)
        let (top, bottom, x, width) = (layout.top, layout.bottom, layout.x, layout.width)
        let right = screen.width
        for row in top..<bottom { screen.fill(row: row, from: 0, to: right, role: .popup) }
        screen.fill(row: top, from: 0, to: right, role: .border, character: screen.unicode ? "─" : "-")
        screen.write(" \(pane.server) — tools ", row: top, column: 1, role: .title, limit: right - 2)
        drawTools(&screen, pane: pane, layout: layout)
        guard pane.tools.indices.contains(pane.selectedTool) else { return }
        let tool = pane.tools[pane.selectedTool]

        // Arguments.
        let title = pane.rawMode ? " Arguments (raw JSON) " : " Arguments "
        var end = screen.write(
            title, row: top + 1, column: x - 1, role: pane.focus == .form ? .selected : .dim, limit: width + 1)
        if pane.rawMode {
            let lines = pane.rawEditor.lines.count
            end = screen.write(
                " line \(pane.rawEditor.cursorLine + 1) of \(lines) ", row: top + 1, column: end, role: .dim,
                limit: right - end - 1)
        }
        if let description = tool.description, !description.isEmpty, right - end - 1 > 4 {
            let text = "— " + description.split(whereSeparator: \.isNewline).joined(separator: " ")
            screen.write(DisplayWidth.truncate(text, to: right - end - 1), row: top + 1, column: end, role: .dim)
        }
        if pane.rawMode {
            drawRaw(&screen, pane: pane, layout: layout)
        } else if let form = pane.form {
            drawForm(&screen, form: form, pane: pane, layout: layout)
        }

        // Result.
        let split = layout.split
        screen.fill(row: split, from: x - 1, to: right - 1, role: .border, character: screen.unicode ? "─" : "-")
        screen.write(" Result ", row: split, column: x, role: pane.focus == .result ? .selected : .dim)
        var row = split + 1
        guard let id = pane.callID, let call = ToolPaneReducer.call(id, of: pane.server, in: state) else {
            screen.write("F5 runs \(tool.name)", row: row, column: x, role: .dim, limit: width)
            return
        }
        var header = "#\(call.id) \(call.tool): \(call.outcome.rawValue)"
        if let duration = call.duration { header += " in \(TimeText.elapsed(duration))" }
        if call.outcome == .running, let progress = call.lastProgress {
            header += " — \(JSONValue.format(progress.progress))"
            if let total = progress.total { header += "/\(JSONValue.format(total))" }
            if let message = progress.message { header += " \(message)" }
            header += "  (Esc cancels)"
        }
        screen.write(header, row: row, column: x, role: call.outcome.role, limit: width)
        row += 1
        let rows = resultRows(call, width: width)
        let scroll = min(pane.resultScroll, max(0, rows.count - layout.resultHeight))
        for (line, role) in rows.dropFirst(scroll) where row < bottom {
            screen.write(line, row: row, column: x, role: role, limit: width)
            row += 1
        }
        if !rows.isEmpty {
            let last = min(rows.count, scroll + layout.resultHeight)
            let position = " lines \(scroll + 1)–\(last) of \(rows.count) "
            let column = right - 2 - DisplayWidth.of(position)
            if column > x + 10 { screen.write(position, row: split, column: column, role: .dim) }
        }
    }

    private static func drawTools(_ screen: inout Screen, pane: ToolPaneState, layout: ToolPaneLayout) {
        let focused = pane.focus == .tools
        screen.write(" Tools ", row: layout.top + 1, column: 0, role: focused ? .selected : .dim)
        var row = layout.top + 2
        if pane.tools.isEmpty { screen.write(" no tools", row: row, column: 0, role: .dim) }
        let first = max(0, pane.selectedTool - (layout.bottom - row - 1))
        for (index, tool) in pane.tools.enumerated().dropFirst(first) where row < layout.bottom {
            let selected = index == pane.selectedTool
            // The focused list's choice is a bar; an unfocused list only marks it.
            let role: Role = selected ? (focused ? .selected : .accent) : .popup
            let mark = selected ? (screen.unicode ? "›" : ">") : " "
            screen.write(mark + tool.name, row: row, column: 0, role: role, field: layout.listWidth)
            row += 1
        }
    }

    private static func drawRaw(_ screen: inout Screen, pane: ToolPaneState, layout: ToolPaneLayout) {
        let editor = pane.rawEditor.scrolled(toShowCursorIn: layout.width, height: layout.rawHeight)
        let role: Role = pane.editing ? .inputFocused : pane.focus == .form ? .input : .popup
        let lines = editor.lines.count
        for offset in 0..<layout.rawHeight {
            let index = editor.firstLine + offset
            let row = layout.formTop + offset
            guard index < lines else { break }
            drawEditorLine(
                &screen, editor, line: index, row: row, column: layout.x, width: layout.width, role: role,
                showCursor: pane.focus == .form)
        }
        if let error = pane.errors[""] {
            screen.write(
                DisplayWidth.truncate("✖ \(error)", to: layout.width), row: layout.formTop + layout.rawHeight,
                column: layout.x, role: .error)
        }
    }

    private static func drawForm(_ screen: inout Screen, form: ToolForm, pane: ToolPaneState, layout: ToolPaneLayout) {
        var row = layout.formTop
        let x = layout.x
        let right = screen.width
        if form.fields.isEmpty { screen.write("this tool takes no arguments", row: row, column: x, role: .dim) }
        let first = max(0, pane.selectedField - (layout.split - row - 1))
        for (index, field) in form.fields.enumerated().dropFirst(first) where row < layout.split {
            let focused = index == pane.selectedField && pane.focus == .form
            let editing = focused && pane.editing
            // At most labelWidth - 1 columns, so a space always parts label and value.
            let label = (field.required ? "*" : " ") + DisplayWidth.truncate(field.label, to: layout.labelWidth - 2)
            screen.write(label, row: row, column: x, role: focused ? .selected : .popup, field: layout.labelWidth)
            let valueColumn = x + layout.labelWidth
            if editing {
                let editor = pane.fieldEditor.scrolled(toShowCursorIn: layout.valueWidth)
                drawEditorLine(
                    &screen, editor, line: 0, row: row, column: valueColumn, width: layout.valueWidth,
                    role: .inputFocused, showCursor: true)
            } else {
                var value = field.text
                if case .boolean = field.kind { value = field.text == "true" ? "[x] true" : "[ ] false" }
                if case .enumeration(let values) = field.kind {
                    value = "‹ \(field.text.isEmpty ? "(none)" : field.text) ›  of \(values.joined(separator: ", "))"
                }
                screen.write(value, row: row, column: valueColumn, role: .input, field: layout.valueWidth)
            }
            let end = valueColumn + layout.valueWidth
            let room = right - end - 1
            if let error = pane.errors[field.key] {
                screen.write(DisplayWidth.truncate(" ✖ \(error)", to: room), row: row, column: end, role: .error)
            } else if focused {
                let hint = field.description ?? field.inputHint
                screen.write(DisplayWidth.truncate(" \(hint)", to: room), row: row, column: end, role: .dim)
            }
            row += 1
        }
    }

    /// One line of a text editor in a box: "…" where it is cut, the cursor as a bar of its own.
    private static func drawEditorLine(
        _ screen: inout Screen, _ editor: TextEditor, line: Int, row: Int, column: Int, width: Int, role: Role,
        showCursor: Bool
    ) {
        screen.fill(row: row, from: column, to: column + width, role: role)
        let visible = editor.visibleLine(line, width: width, showCursor: showCursor)
        var x = column
        if visible.scrolledLeft { x = screen.write("…", row: row, column: x, role: role) }
        x = screen.write(visible.beforeCursor, row: row, column: x, role: role)
        if visible.cursor {
            x = screen.write(cursorGlyph(unicode: screen.unicode), row: row, column: x, role: .selected)
        }
        x = screen.write(visible.afterCursor, row: row, column: x, role: role)
        if visible.cutRight { screen.write("…", row: row, column: x, role: role) }
    }

    /// The text cursor: a bar between characters, so the text dump shows where typing goes.
    static func cursorGlyph(unicode: Bool) -> String { unicode ? "▏" : "|" }

    // MARK: The result

    /// The rows of the result of the pane's call, wrapped to `width`.
    static func resultRows(pane: ToolPaneState, state: DashboardState, width: Int) -> [(text: String, role: Role)] {
        guard let id = pane.callID, let call = ToolPaneReducer.call(id, of: pane.server, in: state) else { return [] }
        return resultRows(call, width: width)
    }

    /// The view wraps at most this many rows of a result (it is wrapped again for every frame);
    /// `y` still copies all of it.
    static let maximumResultRows = 5000

    static func resultRows(_ call: CallRecord, width: Int) -> [(text: String, role: Role)] {
        var rows: [(text: String, role: Role)] = []
        var cut = false
        func add(_ text: String, _ role: Role) {
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                guard rows.count < maximumResultRows else {
                    cut = true
                    return
                }
                for row in DisplayWidth.wrap(String(line), to: width) { rows.append((row, role)) }
            }
        }
        if let result = call.result {
            if !result.content.isEmpty {
                for line in result.summaryLines { add(line, result.isError ? .error : .popup) }
            }
            if let structured = result.structuredContent {
                if !result.content.isEmpty { add("structuredContent:", .header) }
                add(structured.prettyPrinted(), .accent)
            }
            if result.content.isEmpty && result.structuredContent == nil { add("(an empty result)", .dim) }
        } else if let detail = call.detail {
            add(detail, call.outcome.role)
        }
        if cut { rows.append(("… the rest is not shown here; y copies the whole result", .dim)) }
        return rows
    }

    /// What `y` copies: the result's text blocks (as the pane shows them) and its
    /// structuredContent pretty-printed; the call's message when it has no result.
    static func resultText(_ call: CallRecord) -> String? {
        guard let result = call.result else { return call.detail }
        var parts: [String] = []
        if !result.content.isEmpty { parts.append(result.summaryLines.joined(separator: "\n")) }
        if let structured = result.structuredContent { parts.append(structured.prettyPrinted()) }
        return parts.joined(separator: "\n")
    }

    // MARK: The footer

    /// The keys that work in the pane's current focus and mode, for the footer (htop-style:
    /// key, then what it does).
    static func hints(pane: ToolPaneState, state: DashboardState? = nil) -> [(key: String, label: String)] {
        if pane.editing {
            if pane.rawMode {
                return [
                    ("←→↑↓", "Move"), ("Enter", "Newline"), ("Esc", "Done"), ("^K", "Cut line"), ("F2", "Form"),
                    ("F5", "Run"),
                ]
            }
            return [
                ("←→", "Move"), ("Enter", "Done"), ("Esc", "Done"), ("^U", "Clear"), ("^W", "Word"), ("↑↓", "Field"),
                ("F5", "Run"),
            ]
        }
        switch pane.focus {
        case .tools:
            return [
                ("↑↓", "Select"), ("Tab", "Form"), ("F2", pane.rawMode ? "Form" : "Raw JSON"), ("F5", "Run"),
                ("Esc", "Close"),
            ]
        case .form:
            if pane.rawMode {
                return [("Enter", "Edit"), ("F2", "Form"), ("F5", "Run"), ("Tab", "Result"), ("Esc", "Close")]
            }
            var hints: [(key: String, label: String)] = [("↑↓", "Field")]
            switch ToolPaneReducer.selectedField(pane)?.kind {
            case .boolean?: hints.append(("Space", "Toggle"))
            case .enumeration?: hints.append(("←→", "Choose"))
            case nil: break
            default: hints.append(("Enter", "Edit"))
            }
            return hints + [("F2", "Raw JSON"), ("F5", "Run"), ("Tab", "Result"), ("Esc", "Close")]
        case .result:
            let running =
                state.flatMap { state in pane.callID.flatMap { ToolPaneReducer.call($0, of: pane.server, in: state) } }?
                .outcome == .running
            return [
                ("↑↓", "Scroll"), ("PgUp/PgDn", "Page"), ("y", "Copy"), ("Tab", "Tools"),
                ("Esc", running ? "Cancel call" : pane.callID == nil ? "Close" : "Back"),
            ]
        }
    }
}
