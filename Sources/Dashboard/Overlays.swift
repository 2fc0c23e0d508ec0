import Foundation
import MCPClient
import Monitor
import Support

/// A framed box centred on the screen.
enum Box {
    static func draw(_ screen: inout Screen, title: String, lines: [(String, Role)], width: Int, height: Int? = nil) {
        let height = min(screen.height - 2, height ?? lines.count + 2)
        let top = max(0, (screen.height - height) / 2)
        let left = max(0, (screen.width - width) / 2)
        let (horizontal, vertical, corner) =
            screen.unicode ? ("─", "│", ["┌", "┐", "└", "┘"]) : ("-", "|", ["+", "+", "+", "+"])
        for row in top..<(top + height) {
            screen.fill(row: row, from: left, to: left + width, role: .popup)
        }
        screen.fill(row: top, from: left, to: left + width, role: .border, character: Character(horizontal))
        screen.fill(
            row: top + height - 1, from: left, to: left + width, role: .border, character: Character(horizontal))
        for row in top..<(top + height) {
            screen.write(vertical, row: row, column: left, role: .border)
            screen.write(vertical, row: row, column: left + width - 1, role: .border)
        }
        screen.write(corner[0], row: top, column: left, role: .border)
        screen.write(corner[1], row: top, column: left + width - 1, role: .border)
        screen.write(corner[2], row: top + height - 1, column: left, role: .border)
        screen.write(corner[3], row: top + height - 1, column: left + width - 1, role: .border)
        screen.write(" \(title) ", row: top, column: left + 2, role: .title, limit: width - 4)
        for (index, (line, role)) in lines.prefix(height - 2).enumerated() {
            screen.write(line, row: top + 1 + index, column: left + 2, role: role, limit: width - 4)
        }
    }
}

/// The keys, from `KeyBinding.all`: every scope, scrollable.
enum HelpView {
    static let width = 84

    /// The lines for a box `width` wide: descriptions wrapped beside their keys.
    static func lines(width: Int = width) -> [(String, Role)] {
        var lines: [(String, Role)] = []
        let keyWidth = 12
        for scope in KeyBinding.Scope.allCases {
            if !lines.isEmpty { lines.append(("", .popup)) }
            lines.append((scope.title, .header))
            for binding in KeyBinding.all where binding.scope == scope {
                let rows = DisplayWidth.wrap(binding.description, to: max(10, width - 4 - keyWidth))
                for (index, row) in rows.enumerated() {
                    let key = index == 0 ? binding.label : ""
                    lines.append((DisplayWidth.pad(key, to: keyWidth) + row, .popup))
                }
            }
        }
        lines.append(("", .popup))
        lines.append(("Tool pane (the footer shows the keys of the part in focus)", .header))
        for (title, pane) in toolPaneModes {
            let keys = ToolPaneView.hints(pane: pane).map { "\($0.key) \($0.label)" }.joined(separator: ", ")
            for (index, row) in DisplayWidth.wrap(keys, to: max(10, width - 4 - keyWidth)).enumerated() {
                lines.append((DisplayWidth.pad(index == 0 ? title : "", to: keyWidth) + row, .popup))
            }
        }
        return lines
    }

    /// The tool pane's modes, for its keys: the same list its footer shows.
    private static var toolPaneModes: [(String, ToolPaneState)] {
        let tool = Tool(
            json: ["name": "tool", "inputSchema": ["type": "object", "properties": ["text": ["type": "string"]]]])
        var pane = ToolPaneState(server: "", tools: tool.map { [$0] } ?? [])
        var modes: [(String, ToolPaneState)] = [("tools", pane)]
        pane.focus = .form
        modes.append(("form", pane))
        pane.editing = true
        modes.append(("a field", pane))
        pane.rawMode = true
        modes.append(("raw JSON", pane))
        pane.editing = false
        pane.rawMode = false
        pane.focus = .result
        modes.append(("result", pane))
        return modes
    }

    /// The rows of keys the box shows on a screen this high: a page for PgDn.
    static func page(height: Int) -> Int { max(1, height - 4) }

    /// The last useful scroll position: the last line at the bottom of the box.
    static func lastScroll(width: Int, height: Int) -> Int {
        max(0, lines(width: min(width - 4, Self.width)).count - page(height: height))
    }

    static func draw(_ screen: inout Screen, scroll: Int) {
        let width = min(screen.width - 4, Self.width)
        let all = lines(width: width)
        let height = min(page(height: screen.height), all.count) + 2
        let first = min(max(0, scroll), max(0, all.count - (height - 2)))
        let more = all.count > height - 2 ? " (↑↓ PgUp PgDn g G scroll)" : ""
        Box.draw(
            &screen, title: "mcptop keys\(more) — Esc q ? close", lines: Array(all[first...]),
            width: width, height: height)
    }
}

/// The login URL: on rows of its own with no border character in them, so a terminal
/// selection copies it whole (mouse reporting is off while this is open); `y` copies it too.
enum LoginPopup {
    static func draw(_ screen: inout Screen, server: String, url: String, offersDeviceLogin: Bool) {
        let width = screen.width
        let urlRows = DisplayWidth.wrap(url, to: width)
        let lines: [(String, Role)] =
            [
                ("Log in to \(server) in your browser. If none opened, open this URL (y copies it):", .popup),
                ("", .popup),
            ] + urlRows.map { ($0, .accent) } + [
                ("", .popup),
                ("The login finishes by itself; the connection goes on meanwhile.", .dim),
                (
                    "Enter or q hides this window, Esc gives the login up"
                        + (offersDeviceLogin ? ", v uses a code on another device." : "."), .dim
                ),
            ]
        frame(&screen, title: " Login ", lines: lines)
    }

    /// A device login (RFC 8628): the code, where to enter it, and a QR code of the address
    /// (with the code in it where the server gave one) to the right of them when the screen has
    /// the room (80×24 has it for addresses up to about 60 bytes); without it, the text alone.
    static func drawDevice(
        _ screen: inout Screen, server: String, userCode: String, verificationURI: String, complete: String?,
        darkIsInk: Bool
    ) {
        let width = screen.width
        // At least 30 columns stay for the text; the frame takes two rows of the screen's
        // height less two.
        let qr =
            screen.unicode
            ? qrLines(
                for: [complete, verificationURI].compactMap { $0 }, rows: screen.height - 4, columns: width - 32,
                darkIsInk)
            : nil
        let textWidth = qr.map { width - DisplayWidth.of($0[0]) - 2 } ?? width
        var lines: [(String, Role)] = []
        func add(_ text: String, _ role: Role) {
            lines += DisplayWidth.wrap(text, to: textWidth).map { ($0, role) }
        }
        add("Log in to \(server) on any device: open", .popup)
        add(verificationURI, .accent)
        add("and enter the code", .popup)
        lines.append(("  " + userCode, .title))
        lines.append(("", .popup))
        add("The login finishes by itself once the code is entered; the connection goes on meanwhile.", .dim)
        add("Enter or q hides this window, Esc gives the login up, y copies the address.", .dim)
        guard let qr else {
            frame(&screen, title: " Device login ", lines: lines)
            return
        }
        while lines.count < qr.count { lines.append(("", .popup)) }
        let top = frame(&screen, title: " Device login ", lines: lines)
        for (index, line) in qr.enumerated() {
            _ = screen.write(line, row: top + 1 + index, column: textWidth + 1, role: .popup)
        }
    }

    /// The largest QR code that fits: the address with the code first, a quiet zone of two
    /// modules before one, correction M before L; nil when none fits.
    static func qrLines(for texts: [String], rows: Int, columns: Int, _ darkIsInk: Bool) -> [String]? {
        for text in texts {
            for quietZone in [2, 1] {
                for correction in [QRCode.Correction.medium, .low] {
                    guard let code = QRCode(text, correction: correction) else { continue }
                    let lines = code.halfBlockLines(quietZone: quietZone, darkIsInk: darkIsInk)
                    if lines.count <= rows, code.size + 2 * quietZone <= columns { return lines }
                }
            }
        }
        return nil
    }

    /// A popup across the screen's width, centred, on rows of its own; returns its top row.
    @discardableResult
    static func frame(_ screen: inout Screen, title: String, lines: [(String, Role)]) -> Int {
        let width = screen.width
        let height = min(screen.height - 2, lines.count + 2)
        let top = max(1, (screen.height - height) / 2)
        let rule: Character = screen.unicode ? "─" : "-"
        screen.fill(row: top, from: 0, to: width, role: .border, character: rule)
        screen.write(title, row: top, column: 2, role: .title)
        for (index, (text, role)) in lines.prefix(height - 2).enumerated() {
            let row = top + 1 + index
            screen.fill(row: row, from: 0, to: width, role: .popup)
            screen.write(text, row: row, column: 0, role: role, limit: width)
        }
        screen.fill(row: top + height - 1, from: 0, to: width, role: .border, character: rule)
        return top
    }
}

/// The event log, newest at the bottom.
enum LogView {
    static func draw(_ screen: inout Screen, _ state: DashboardState) {
        let height = screen.height - 4
        let all = state.log.all
        let end = max(0, all.count - state.logScroll)
        let shown = all[max(0, end - (height - 2))..<end]
        let lines = shown.isEmpty ? [("no events yet", Role.dim)] : shown.map { ($0, Role.popup) }
        Box.draw(&screen, title: "Events", lines: lines, width: screen.width - 4, height: height)
    }
}
