import Foundation
import Support
import Testing

@testable import Dashboard
@testable import MCPClient
@testable import Monitor

/// The tool pane driven through the reducer, and drawn to text.
@Suite struct ToolPaneTests {
    static func tool(_ name: String, _ schema: JSONValue) -> Tool {
        Tool(json: ["name": .string(name), "description": "d", "inputSchema": schema])!
    }

    static let echo = tool(
        "echo", ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]])
    static let add = tool(
        "add", ["type": "object", "properties": ["a": ["type": "number"], "b": ["type": "integer", "minimum": 1]]])

    /// The dashboard with the tool pane of "acme" open on `tools`.
    static func open(_ tools: [Tool], width: Int = 100, height: Int = 30) -> DashboardState {
        var state = RenderTests.state(width: width, height: height)
        var servers = state.servers
        servers[0].tools = tools
        state.servers = servers
        state.overlay = .tools(ToolPaneState(server: "acme", tools: tools))
        return state
    }

    @discardableResult
    static func press(_ keys: [Key], _ state: inout DashboardState) -> [Effect] {
        keys.flatMap { Reducer.reduce(&state, .key($0)) }
    }

    static func type(_ text: String) -> [Key] { text.map { .character($0) } }

    static func pane(_ state: DashboardState) throws -> ToolPaneState {
        guard case .tools(let pane)? = state.overlay else {
            Issue.record("the tool pane is not open")
            throw CancellationError()
        }
        return pane
    }

    static func screen(_ state: DashboardState, unicode: Bool = true) throws -> Screen {
        var screen = Screen(width: state.width, height: state.height, unicode: unicode)
        ToolPaneView.draw(&screen, pane: try pane(state), state: state)
        return screen
    }

    static func text(_ state: DashboardState, unicode: Bool = true) throws -> String {
        try screen(state, unicode: unicode).text
    }

    static func field(_ state: DashboardState, _ key: String) throws -> String {
        try #require(try pane(state).form?.fields.first { $0.key == key }).text
    }

    // MARK: Editing fields

    @Test func editingAFieldInTheMiddleWithLeft() throws {
        var state = Self.open([Self.echo])
        // Typing on the selected field starts editing it.
        Self.press([.tab] + Self.type("helo") + [.left] + Self.type("l"), &state)
        #expect(try Self.field(state, "text") == "hello")
        #expect(try Self.pane(state).fieldEditor.cursor == 4)
        let screen = try Self.text(state)
        #expect(screen.contains("*text   hell▏o"), "\(screen)")
        #expect(try Self.text(state, unicode: false).contains("*text   hell|o"))
        Self.press([.enter], &state)
        #expect(try Self.pane(state).editing == false)
        #expect(
            Self.press([.function(5)], &state) == [
                .callTool(server: "acme", tool: "echo", arguments: ["text": "hello"])
            ])
    }

    @Test func enterOpensAFieldAndTheCursorKeysMoveInIt() throws {
        var state = Self.open([Self.echo])
        Self.press([.tab, .enter] + Self.type("world") + [.home] + Self.type("hello ") + [.enter], &state)
        #expect(try Self.field(state, "text") == "hello world")
        // ← on a field that is not being edited opens it with the cursor moved.
        Self.press([.left, .left] + Self.type("!") + [.character("\u{0B}")], &state)
        #expect(try Self.field(state, "text") == "hello wor!")
    }

    @Test func lettersThatAreKeysElsewhereAreTypedIntoAField() throws {
        var state = Self.open([Self.echo])
        Self.press([.tab] + Self.type("jkqR y"), &state)
        #expect(try Self.field(state, "text") == "jkqR y")
        #expect(state.overlay != nil)
    }

    @Test func aFieldErrorDisappearsOnceTheFieldIsFixed() throws {
        var state = Self.open([Self.echo, Self.add])
        #expect(Self.press([.function(5)], &state).isEmpty)
        #expect(try Self.pane(state).errors["text"] == "required")
        #expect(try Self.text(state).contains("✖ required"))
        Self.press(Self.type("a"), &state)
        #expect(try Self.pane(state).errors["text"] == nil, "fixed by the first key")
        #expect(try !Self.text(state).contains("✖"))

        // A value that is wrong is marked when the field is left, and cleared once fixed.
        Self.press([.escape, .backTab, .down, .tab, .down] + Self.type("0") + [.enter], &state)
        #expect(try Self.pane(state).errors["b"] == "must be at least 1")
        Self.press([.backspace] + Self.type("2"), &state)
        #expect(try Self.pane(state).errors["b"] == nil)
    }

    @Test func choiceFieldsKeepTheirKeysWhenNotEditing() throws {
        let choices = Self.tool(
            "choices",
            try JSONValue.parse(
                #"{"type":"object","properties":{"on":{"type":"boolean"},"mode":{"enum":["a","b"]},"note":{"type":"string"}}}"#
            ))
        var state = Self.open([choices])
        Self.press([.tab, .character(" ")], &state)
        #expect(try Self.field(state, "on") == "true", "Space toggles")
        Self.press([.character("j"), .right, .right], &state)
        #expect(try Self.pane(state).selectedField == 1, "j moves on a choice field")
        #expect(try Self.field(state, "mode") == "b")
        Self.press([.left, .left], &state)
        #expect(try Self.field(state, "mode") == "", "an optional choice passes through none")
        #expect(try Self.pane(state).editing == false)
        Self.press([.character("j"), .character("j")], &state)
        #expect(try Self.pane(state).selectedField == 2)
        #expect(try Self.field(state, "note") == "j", "on a text field j is typed")
    }

    @Test func upAndDownLeaveTheFieldForTheNextOne() throws {
        var state = Self.open([Self.add])
        Self.press([.tab] + Self.type("1.5") + [.down] + Self.type("3"), &state)
        let pane = try Self.pane(state)
        #expect(pane.selectedField == 1)
        #expect(try Self.field(state, "a") == "1.5")
        #expect(try Self.field(state, "b") == "3")
    }

    @Test func longValuesScrollToKeepTheCursorVisible() throws {
        var state = Self.open([Self.echo], width: 60, height: 16)
        let long = (1...30).map(String.init).joined(separator: " ")
        Self.press([.tab] + Self.type(long), &state)
        let row = try #require(try Self.text(state).split(separator: "\n").first { $0.contains("*text") })
        #expect(row.contains("…"))
        #expect(row.contains("28 29 30▏"), "\(row)")
        Self.press([.home], &state)
        let start = try #require(try Self.text(state).split(separator: "\n").first { $0.contains("*text") })
        #expect(start.contains("▏1 2 3 4"), "\(start)")
    }

    // MARK: Labels

    static let report = tool(
        "report",
        [
            "type": "object",
            "properties": [
                "reporter": [
                    "type": "object",
                    "properties": [
                        "address": [
                            "type": "object",
                            "properties": ["streetMain": ["type": "integer", "default": 1]],
                            "required": ["streetMain"],
                        ]
                    ],
                    "required": ["address"],
                ]
            ],
            "required": ["reporter"],
        ])

    @Test func labelsNeverRunIntoValues() throws {
        let wide = try Self.text(Self.open([Self.report]))
        #expect(wide.contains("*reporter.address.streetMain 1"), "\(wide)")
        // Too long for its 40% of a narrow pane: cut with "…", and still a space before the value.
        let narrow = try Self.text(Self.open([Self.report], width: 60, height: 16))
        #expect(narrow.contains("*reporter.address.stre… 1"), "\(narrow)")
    }

    // MARK: F2

    @Test func f2CarriesRawEditsBackToTheForm() throws {
        var state = Self.open([Self.echo])
        Self.press([.tab, .function(2)], &state)
        #expect(try Self.pane(state).rawMode)
        #expect(try Self.pane(state).rawText == "{\n  \"text\": \"\"\n}")
        // ↓ starts editing on the second line; End, ← puts the cursor inside the quotes.
        Self.press([.down, .end, .left] + Self.type("hi") + [.escape, .function(2)], &state)
        #expect(try Self.pane(state).rawMode == false)
        #expect(try Self.field(state, "text") == "hi")
        // And back: the raw JSON holds the form's value.
        Self.press([.function(2)], &state)
        #expect(try Self.pane(state).rawText == "{\n  \"text\": \"hi\"\n}")
    }

    @Test func invalidJSONIsRefusedByF2AndTheErrorGoesOnceFixed() throws {
        var state = Self.open([Self.echo])
        Self.press([.tab, .function(2), .enter] + Self.type("oops") + [.function(2)], &state)
        var pane = try Self.pane(state)
        #expect(pane.rawMode, "refused: still the raw editor")
        #expect(pane.errors[""]?.contains("invalid JSON") == true, "\(pane.errors)")
        #expect(state.status?.text.hasPrefix("F2: the JSON is not valid") == true)
        #expect(try Self.text(state).contains("✖ invalid JSON"))
        Self.press([.backspace, .backspace, .backspace, .backspace], &state)
        pane = try Self.pane(state)
        #expect(pane.errors[""] == nil, "the JSON is valid again")
        Self.press([.escape, .function(2)], &state)
        #expect(try Self.pane(state).rawMode == false)
    }

    @Test func keysTheFormHasNoFieldForAreRefused() throws {
        var state = Self.open([Self.echo])
        Self.press([.tab, .function(2)], &state)
        Self.press([.down, .end] + Self.type(",") + [.enter] + Self.type("\"extra\": 1") + [.function(2)], &state)
        var pane = try Self.pane(state)
        #expect(pane.rawMode)
        #expect(pane.errors[""] == "the JSON has keys the form has no field for: extra")
        // Ctrl-U empties the line, two Backspaces take the line break and the comma.
        Self.press([.enter, .character("\u{15}"), .backspace, .backspace], &state)
        pane = try Self.pane(state)
        #expect(pane.errors[""] == nil, "\(pane.rawText)")
        Self.press([.function(2)], &state)
        #expect(try Self.pane(state).rawMode == false)
    }

    @Test func f2FromAFormThatDoesNotValidateKeepsWhatWasTyped() throws {
        var state = Self.open([Self.add])
        Self.press([.tab] + Self.type("x") + [.enter, .function(2)], &state)
        let pane = try Self.pane(state)
        #expect(pane.rawText == "{\n  \"a\": \"x\"\n}")
        // Back without changes: the form is as it was.
        Self.press([.function(2)], &state)
        #expect(try Self.field(state, "a") == "x")
    }

    @Test func theRawEditorScrollsToTheCursorLine() throws {
        let properties = (1...20).map { "\"p\($0)\": {\"type\": \"string\"}" }.joined(separator: ", ")
        let many = Self.tool("many", try JSONValue.parse("{\"type\": \"object\", \"properties\": {\(properties)}}"))
        var state = Self.open([many])
        Self.press([.tab, .function(2)] + Array(repeating: .down, count: 15), &state)
        let text = try Self.text(state)
        #expect(text.contains("\"p15\""))
        #expect(!text.contains("\"p1\""), "scrolled past the first lines")
        #expect(text.contains("line 16 of 22"))
        #expect(text.contains("▏  \"p15\": \"\","), "\(text)")
    }

    // MARK: Focus and footer

    @Test func theFocusedSectionIsHighlightedAndTheOthersDim() throws {
        var state = Self.open([Self.echo, Self.add])
        var screen = try Self.screen(state)
        func lines() -> [Substring] { screen.text.split(separator: "\n", omittingEmptySubsequences: false) }
        #expect(lines()[2].hasPrefix(" Tools "))
        #expect(lines()[3].hasPrefix("›echo"))
        #expect(screen.role(row: 2, column: 1) == .selected)
        #expect(screen.role(row: 3, column: 1) == .selected)
        #expect(screen.role(row: 2, column: 27) == .dim, "the Arguments title")
        Self.press([.tab], &state)
        screen = try Self.screen(state)
        #expect(screen.role(row: 2, column: 1) == .dim)
        #expect(screen.role(row: 3, column: 1) == .accent, "marked, not highlighted")
        #expect(lines()[3].hasPrefix("›echo"))
        #expect(screen.role(row: 2, column: 27) == .selected)
    }

    @Test func theFooterHintsFollowTheFocus() throws {
        var state = Self.open([Self.echo])
        func keys() throws -> [String] { ToolPaneView.hints(pane: try Self.pane(state), state: state).map(\.key) }
        #expect(try keys() == ["↑↓", "Tab", "F2", "F5", "Esc"])
        Self.press([.tab], &state)
        #expect(try keys().contains("Enter"))
        Self.press(Self.type("a"), &state)
        let editing = ToolPaneView.hints(pane: try Self.pane(state))
        #expect(editing.contains { $0.key == "←→" && $0.label == "Move" })
        #expect(editing.contains { $0.key == "^U" && $0.label == "Clear" })
        Self.press([.escape, .tab], &state)
        #expect(try keys().contains("y"))
    }

    // MARK: The result

    static func withResult(_ text: String, structured: JSONValue? = nil) -> DashboardState {
        var state = Self.open([Self.echo])
        var json: JSONValue = ["content": [["type": "text", "text": .string(text)]]]
        if let structured { json["structuredContent"] = structured }
        var servers = state.servers
        servers[0].calls.append(
            CallRecord(
                id: 9, tool: "echo", argumentsDigest: "", startedAt: RenderTests.now, duration: 0.012, outcome: .ok,
                lastProgress: nil, detail: "done", result: ToolResult(json: json)))
        state.servers = servers
        _ = Reducer.reduce(&state, .callStarted(server: "acme", id: 9))
        return state
    }

    static let words = Array(repeating: "word", count: 120).joined(separator: " ")

    @Test func resultsWrapAndShowTheScrollPosition() throws {
        var state = Self.withResult(Self.words + "\nsecond line", structured: ["n": 1])
        var text = try Self.text(state)
        // 9 rows of words (72 columns each at most), "second line", the structured header and 3 JSON lines.
        #expect(text.contains("lines 1–11 of 14"), "\(text)")
        let rows = text.split(separator: "\n").filter { $0.contains("word") }
        #expect(rows.count == 9)
        #expect(rows.allSatisfy { DisplayWidth.of(String($0)) <= 99 })
        #expect(rows[0].hasSuffix(" word"), "wrapped at a space")
        Self.press([.down], &state)
        #expect(try Self.text(state).contains("lines 2–12 of 14"))
        Self.press([.end, .down, .down], &state)
        text = try Self.text(state)
        #expect(text.contains("lines 4–14 of 14"), "scrolling stops at the end")
        #expect(text.contains("\"n\": 1"))
        Self.press([.pageUp], &state)
        #expect(try Self.text(state).contains("lines 1–11 of 14"))
        #expect(try Self.pane(state).resultScroll == 0)
    }

    @Test func yCopiesTheWholeResult() throws {
        var state = Self.withResult(Self.words + "\nsecond line", structured: ["n": 1])
        #expect(try Self.pane(state).focus == .result)
        let effects = Self.press([.character("y")], &state)
        #expect(effects == [.copy(Self.words + "\nsecond line\n{\n  \"n\": 1\n}")])
        #expect(state.status?.text == "copied the result (5 lines) to the clipboard")
        // Nothing to copy before a call.
        var empty = Self.open([Self.echo])
        #expect(Self.press([.tab, .tab, .character("y")], &empty).isEmpty)
    }
}
