/// Turns token bytes into text as they stream: a token may end inside a multi-byte UTF-8
/// character, so the incomplete tail is held back until the next token completes it.
struct UTF8StreamDecoder {
    private var pending: [UInt8] = []

    /// The text that is complete so far; held-back bytes stay pending.
    mutating func append(_ bytes: [UInt8]) -> String {
        pending += bytes
        let complete = pending.count - Self.incompleteTailLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Whatever is left, with invalid bytes replaced.
    mutating func finish() -> String {
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }

    /// How many bytes at the end start a character that is not yet complete (0 to 3).
    static func incompleteTailLength(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty else { return 0 }
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            if byte & 0xC0 == 0x80 { continue }  // continuation byte: look further back
            let needed = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            return needed > back ? back : 0
        }
        return 0
    }
}
