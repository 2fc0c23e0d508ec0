import Foundation

/// The bytes that ask a terminal to put text on the clipboard.
public enum ClipboardSequence {
    /// OSC 52 (xterm's "Manipulate Selection Data"): ESC ] 52 ; c ; base64 of the UTF-8 text,
    /// ended by BEL, which more terminals accept than ST. `c` is the clipboard selection.
    public static func copying(_ text: String) -> [UInt8] {
        let encoded = Data(text.utf8).base64EncodedString()
        return Array("\u{1B}]52;c;\(encoded)\u{07}".utf8)
    }
}
