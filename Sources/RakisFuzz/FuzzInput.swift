/// Reads structure out of a fuzzer's bytes: a first byte that picks an option, a length-prefixed
/// part, the rest. Running out is never an error: missing bytes read as zero or empty, so every
/// input is a valid call.
struct FuzzInput {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// A part whose length is the next byte.
    mutating func shortPart() -> [UInt8] {
        let length = Int(byte())
        let end = min(bytes.count, position + length)
        defer { position = end }
        return Array(bytes[min(position, end)..<end])
    }

    mutating func rest() -> [UInt8] {
        defer { position = bytes.count }
        return position < bytes.count ? Array(bytes[position...]) : []
    }

    /// Cuts `bytes` into pieces whose sizes come from a small generator seeded with `seed`, the way
    /// network reads cut a stream at arbitrary places.
    static func pieces(of bytes: [UInt8], seed: UInt8) -> [ArraySlice<UInt8>] {
        var state = UInt32(seed) &* 2_654_435_761 | 1
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            let size = 1 + Int(state % 64)
            let end = min(bytes.count, start + size)
            pieces.append(bytes[start..<end])
            start = end
        }
        return pieces
    }
}
