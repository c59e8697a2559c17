/// Splits a byte stream into the `data:` payloads of server-sent events, however the bytes are
/// cut into network reads.
struct ServerSentEventLines {
    private var buffer: [UInt8] = []
    /// Refuses a single line longer than this, so that a hostile server cannot exhaust memory.
    static let maxLineBytes = 1 << 20

    enum Failure: Error { case lineTooLong }

    /// The `data:` payloads completed by `bytes`, in order.
    mutating func append(_ bytes: some Sequence<UInt8>) throws(Failure) -> [String] {
        buffer.append(contentsOf: bytes)
        var payloads: [String] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = buffer[..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if let payload = Self.payload(of: line) { payloads.append(payload) }
            buffer.removeSubrange(...newline)
        }
        guard buffer.count <= Self.maxLineBytes else { throw .lineTooLong }
        return payloads
    }

    /// A last line that the server did not end with a newline.
    mutating func finish() -> [String] {
        defer { buffer = [] }
        return Self.payload(of: buffer[...]).map { [$0] } ?? []
    }

    private static func payload(of line: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("data:") else { return nil }
        var payload = text.dropFirst(5)
        if payload.first == " " { payload = payload.dropFirst() }
        return String(payload)
    }
}
