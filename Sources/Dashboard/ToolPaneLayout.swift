/// Where the parts of the tool pane go on a screen of a given size; the view draws with it
/// and the keys scroll with it, so both agree on what fits.
struct ToolPaneLayout {
    /// The pane's title bar.
    let top: Int
    /// The first row below the pane (the status line and the footer are the renderer's).
    let bottom: Int
    let listWidth: Int
    /// Where the form, the raw editor and the result start, and how wide they are.
    let x: Int
    let width: Int
    /// The row of the result's title.
    let split: Int
    /// The first row of fields or raw JSON lines (below the "Arguments" title).
    let formTop: Int
    /// Labels take this many columns, the last one always blank.
    let labelWidth: Int
    /// The input box of a field.
    let valueWidth: Int

    init(pane: ToolPaneState, width screenWidth: Int, height screenHeight: Int) {
        top = 1
        bottom = max(top + 2, screenHeight - 2)
        listWidth = min(28, screenWidth / 4)
        x = listWidth + 2
        width = max(1, screenWidth - x - 1)
        split = top + 1 + (bottom - top - 1) / 2
        formTop = top + 2
        let longest = pane.form?.fields.map { DisplayWidth.of($0.label) }.max() ?? 0
        // The required mark, the label, a space; at most 40% of the screen, leaving the value room.
        labelWidth = max(8, min(longest + 2, screenWidth * 2 / 5, width - 10))
        valueWidth = max(8, (width - labelWidth) * 3 / 5)
    }

    /// Lines of raw JSON shown; the row below them is for its error.
    var rawHeight: Int { max(1, split - formTop - 1) }
    /// The first row of the result's text (below its status line).
    var resultTop: Int { split + 2 }
    var resultHeight: Int { max(0, bottom - resultTop) }
}
