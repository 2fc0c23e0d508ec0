import CNCursesW
import CSignalPipe
import Dashboard
import Foundation

/// The only ncurses code: sets the terminal up and restores it, draws a `Screen` by copying only
/// the rows that changed, and turns input, resizes and signals into values.
/// Unchecked Sendable: everything but `wake()` is called from the UI thread only; `wake()`
/// writes a byte to a pipe, which any thread may do.
public final class NCursesTerminal: @unchecked Sendable {
    public enum Input: Equatable {
        case key(Key)
        case resize(width: Int, height: Int)
        /// SIGINT, SIGTERM or SIGHUP: leave cleanly.
        case quit
        /// Something else asked for a redraw (`wake()`).
        case wake
    }

    public let unicode: Bool
    public private(set) var width: Int
    public private(set) var height: Int
    private var previous: Screen?
    private var palette: Palette
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var active = true
    private var resizePending = false
    /// Milliseconds ncurses waits after ESC for the rest of a sequence before returning a lone Esc.
    private static let escapeDelay: Int32 = 25

    /// Starts curses. `theme` decides colours; NO_COLOR and colourless terminals get
    /// attributes only.
    public init(theme: Theme, noColor: Bool) throws {
        setlocale(LC_ALL, "")
        let codeset = String(cString: mcptop_codeset())
        unicode = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TerminalError(description: "cannot create the wake-up pipe") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(description: "the dashboard needs a terminal (use mcptop watch for scripts)")
        }
        guard initscr() != nil else { throw TerminalError(description: "cannot start the terminal (check TERM)") }
        cbreak()
        noecho()
        nonl()
        keypad(mcptop_stdscr(), true)
        nodelay(mcptop_stdscr(), true)
        mcptop_set_escdelay(Self.escapeDelay)
        curs_set(0)
        var depth = ColorDepth.none
        if has_colors() && !noColor {
            start_color()
            use_default_colors()
            // Colour pairs take palette indices, so even a true-colour terminal gets the theme
            // mapped to the 256-colour palette.
            let colors = mcptop_colors()
            depth = colors >= 256 ? .colors256 : colors >= 8 ? .colors8 : .none
        }
        palette = Palette(theme: theme, depth: depth)
        mousemask(mcptop_mouse_clicks(), nil)
        mcptop_install_signal_pipe(wakeWrite)
        width = Int(mcptop_cols())
        height = Int(mcptop_lines())
    }

    deinit {
        shutdown()
    }

    /// Restores the terminal; safe to call more than once.
    public func shutdown() {
        guard active else { return }
        active = false
        endwin()
    }

    public func setTheme(_ theme: Theme) {
        palette = Palette(theme: theme, depth: palette.depth)
        previous = nil
        clear()
    }

    /// Asks `readInput` to return (from any thread).
    public func wake() {
        var byte: UInt8 = 69  // "E"
        _ = write(wakeWrite, &byte, 1)
    }

    /// Waits up to `timeout` milliseconds for input, a resize, a signal or a wake-up.
    public func readInput(timeout: Int) -> [Input] {
        var stdinReady: Int32 = 0
        var wakeReady: Int32 = 0
        _ = mcptop_poll2(STDIN_FILENO, wakeRead, Int32(timeout), &stdinReady, &wakeReady)
        var inputs: [Input] = []
        if wakeReady != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let count = read(wakeRead, &buffer, buffer.count)
                if count <= 0 { break }
                for byte in buffer[0..<count] {
                    switch byte {
                    case UInt8(ascii: "W"): resizePending = true
                    case UInt8(ascii: "Q"): inputs.append(.quit)
                    default: inputs.append(.wake)
                    }
                }
            }
        }
        // After SIGWINCH, wget_wch reports KEY_RESIZE even with no key waiting.
        if stdinReady != 0 || resizePending {
            resizePending = false
            inputs += readKeys()
        }
        return inputs
    }

    /// ncurses has applied the new size (KEY_RESIZE); everything is drawn again.
    private func resized() -> Input? {
        width = Int(mcptop_cols())
        height = Int(mcptop_lines())
        previous = nil
        clear()
        return .resize(width: width, height: height)
    }

    /// Reads every key waiting. Escape sequences the terminfo entry does not list arrive as ESC
    /// and the units after it, all already in ncurses' queue; `KeyDecoder` turns them into keys
    /// or drops them, so only a lone ESC is Esc.
    private func readKeys() -> [Input] {
        var inputs: [Input] = []
        var units: [UInt32] = []
        var waited = false
        var waitNow = false
        while true {
            var character: wint_t = 0
            if waitNow { wtimeout(mcptop_stdscr(), Self.escapeDelay) }
            let result = wget_wch(mcptop_stdscr(), &character)
            if waitNow {
                nodelay(mcptop_stdscr(), true)
                waitNow = false
            }
            if result == ERR {
                inputs += decode(&units, dropUnfinished: waited)
                if units.isEmpty { break }
                // A sequence cut off at the end: over a slow link its rest can be a moment
                // behind. Wait for it once, one escape delay.
                waited = true
                waitNow = true
                continue
            }
            if result == KEY_CODE_YES {
                // A key ncurses decoded itself ends any sequence before it.
                inputs += decode(&units, dropUnfinished: true)
                if let input = functionKey(Int32(character)) { inputs.append(input) }
                continue
            }
            units.append(UInt32(character))
        }
        return inputs
    }

    /// Decodes `units`, leaving in them a sequence cut off at the end unless it is dropped.
    private func decode(_ units: inout [UInt32], dropUnfinished: Bool) -> [Input] {
        guard !units.isEmpty else { return [] }
        let (keys, unfinished) = KeyDecoder.decode(units)
        units = dropUnfinished ? [] : unfinished
        return keys.map { .key($0) }
    }

    private func functionKey(_ code: Int32) -> Input? {
        switch code {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_BTAB: return .key(.backTab)
        case KEY_RESIZE: return resized()
        case KEY_MOUSE:
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            if mcptop_is_click(event.bstate) != 0 { return .key(.click(row: Int(event.y), column: Int(event.x))) }
            if mcptop_is_wheel_up(event.bstate) != 0 { return .key(.up) }
            if mcptop_is_wheel_down(event.bstate) != 0 { return .key(.down) }
            return nil
        default:
            for number in 1...12 where code == mcptop_key_f(Int32(number)) { return .key(.function(number)) }
            return nil
        }
    }

    /// Puts `text` on the clipboard with OSC 52, which most terminals honour (xterm, kitty,
    /// iTerm2, WezTerm, foot, Windows Terminal) and the rest ignore; inside tmux it passes on
    /// when tmux's `set-clipboard` is on.
    public func copyToClipboard(_ text: String) {
        // ncurses' pending output first, so the sequence cannot land inside one of its own.
        refresh()
        let bytes = ClipboardSequence.copying(text)
        var written = 0
        var retries = 0
        // A sequence left half-written would swallow the next frame, so a full terminal buffer
        // (EAGAIN) is waited out, for up to a second.
        while written < bytes.count, retries < 1000 {
            let count = bytes[written...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if count > 0 {
                written += count
            } else if count < 0, errno == EINTR || errno == EAGAIN {
                retries += 1
                if errno == EAGAIN { usleep(1000) }
            } else {
                return
            }
        }
    }

    /// Mouse clicks on (a click selects a row) or off, so the terminal's own selection works
    /// again for copying text.
    public func setMouseReporting(_ on: Bool) {
        mousemask(on ? mcptop_mouse_clicks() : 0, nil)
        // ncurses only queues the terminal's mouse mode switch; send it now.
        refresh()
    }

    /// Copies the rows that differ from the last frame to the terminal.
    public func draw(_ screen: Screen) {
        let unchanged = previous.map { $0.width == screen.width && $0.height == screen.height } ?? false
        for row in 0..<min(screen.height, height) {
            if unchanged, let previous, previous.rows[row] == screen.rows[row] { continue }
            drawRow(screen.rows[row], at: row, width: min(screen.width, width))
        }
        previous = screen
        refresh()
    }

    private func drawRow(_ cells: [Cell], at row: Int, width: Int) {
        move(Int32(row), 0)
        var text: [wchar_t] = []
        text.reserveCapacity(width * 2 + 1)
        var index = 0
        while index < width {
            let role = cells[index].role
            text.removeAll(keepingCapacity: true)
            while index < width, cells[index].role == role {
                if !cells[index].isContinuation {
                    let glyph = cells[index].glyph
                    for scalar in 0..<glyph.count { text.append(wchar_t(bitPattern: glyph.scalar(scalar))) }
                }
                index += 1
            }
            let style = palette.attributes(for: role)
            attrset(Int32(bitPattern: style))
            text.append(0)
            // The bottom-right cell makes ncurses report an error after drawing; it is drawn.
            _ = waddwstr(mcptop_stdscr(), text)
        }
        attrset(Int32(bitPattern: mcptop_a_normal()))
    }
}

public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}

/// Role → curses attributes, with colour pairs allocated on first use and cached.
struct Palette {
    let theme: Theme
    let depth: ColorDepth
    private var cache: [Role: attr_t] = [:]

    init(theme: Theme, depth: ColorDepth) {
        self.theme = theme.resolved(for: depth)
        self.depth = depth
        var next: Int16 = 1
        for role in Role.allCases {
            let style = self.theme.style(role)
            var attributes = mcptop_a_normal()
            if style.attributes.contains(.bold) { attributes |= mcptop_a_bold() }
            if style.attributes.contains(.underline) { attributes |= mcptop_a_underline() }
            if style.attributes.contains(.reverse) { attributes |= mcptop_a_reverse() }
            if style.attributes.contains(.dim) { attributes |= mcptop_a_dim() }
            if depth != .none, Int32(next) < mcptop_color_pairs() {
                init_pair(next, Self.cursesColor(style.fg), Self.cursesColor(style.bg))
                attributes |= mcptop_color_pair(Int32(next))
                next += 1
            }
            cache[role] = attributes
        }
    }

    func attributes(for role: Role) -> attr_t { cache[role] ?? mcptop_a_normal() }

    static func cursesColor(_ color: Color) -> Int16 {
        color.terminalIndex.map { Int16($0) } ?? -1
    }
}
