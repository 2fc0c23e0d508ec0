import Foundation

/// Lines typed or pasted on standard input, read by a thread of their own (a blocking read
/// must not hold one of Swift concurrency's few threads): `auth --no-browser` takes the address
/// the browser ended on this way.
actor PastedLines {
    private var iterator: AsyncStream<String>.AsyncIterator

    init() {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let reader = Thread {
            while let line = readLine(strippingNewline: true) { continuation.yield(line) }
            continuation.finish()
        }
        reader.name = "mcptop-paste"
        reader.start()
        iterator = stream.makeAsyncIterator()
    }

    /// The next line, or nil at the end of input.
    func next() async -> String? {
        var current = iterator
        let line = await current.next(isolation: self)
        iterator = current
        return line
    }
}
