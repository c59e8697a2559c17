/// Recursive Length Prefix, Ethereum's serialization of nested byte strings. Decoding accepts
/// only the canonical encoding of each item, so one value has exactly one encoding.
public enum RLP: Sendable, Hashable {
    case bytes([UInt8])
    indirect case list([RLP])

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    private func encode(into out: inout [UInt8]) {
        switch self {
        case .bytes(let bytes):
            if bytes.count == 1, bytes[0] < 0x80 {
                out.append(bytes[0])
            } else {
                Self.appendHeader(length: bytes.count, shortBase: 0x80, into: &out)
                out += bytes
            }
        case .list(let items):
            var payload: [UInt8] = []
            for item in items { item.encode(into: &payload) }
            Self.appendHeader(length: payload.count, shortBase: 0xC0, into: &out)
            out += payload
        }
    }

    private static func appendHeader(length: Int, shortBase: UInt8, into out: inout [UInt8]) {
        if length < 56 {
            out.append(shortBase + UInt8(length))
        } else {
            let lengthBytes = minimalBigEndian(UInt64(length))
            out.append(shortBase + 55 + UInt8(lengthBytes.count))
            out += lengthBytes
        }
    }

    static func minimalBigEndian(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest > 0 {
            bytes.insert(UInt8(truncatingIfNeeded: rest), at: 0)
            rest >>= 8
        }
        return bytes
    }

    /// Decodes exactly one item that spans all of `bytes`.
    public init(decoding bytes: [UInt8], maxDepth: Int = 64) throws(RLPError) {
        var decoder = RLPDecoder(bytes: bytes, maxDepth: maxDepth)
        let item = try decoder.item(depth: 0, end: bytes.count)
        guard decoder.position == bytes.count else { throw .trailingBytes(at: decoder.position) }
        self = item
    }

    public var bytesValue: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }

    public var listValue: [RLP]? {
        if case .list(let items) = self { return items }
        return nil
    }
}

public enum RLPError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(at: Int)
    case trailingBytes(at: Int)
    case nonCanonical(String, at: Int)
    case tooDeep
    case lengthOverflow(at: Int)

    public var description: String {
        switch self {
        case .truncated(let at): "RLP is cut short at byte \(at)"
        case .trailingBytes(let at): "RLP has bytes after its item, from byte \(at)"
        case .nonCanonical(let what, let at): "RLP is not canonical at byte \(at): \(what)"
        case .tooDeep: "RLP lists are nested too deep"
        case .lengthOverflow(let at): "RLP length at byte \(at) is larger than any input"
        }
    }
}

/// Reads items off a byte array, checking every length against what is left.
private struct RLPDecoder {
    let bytes: [UInt8]
    let maxDepth: Int
    var position = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func item(depth: Int, end: Int) throws(RLPError) -> RLP {
        guard depth <= maxDepth else { throw .tooDeep }
        guard position < end else { throw .truncated(at: position) }
        let start = position
        let prefix = bytes[position]
        position += 1
        switch prefix {
        case 0x00...0x7F:
            return .bytes([prefix])
        case 0x80...0xB7:
            let length = Int(prefix - 0x80)
            let payload = try take(length, end: end)
            if length == 1, payload[0] < 0x80 { throw .nonCanonical("a single byte below 0x80 must stand for itself", at: start) }
            return .bytes(payload)
        case 0xB8...0xBF:
            let length = try longLength(Int(prefix - 0xB7), end: end, at: start)
            return .bytes(try take(length, end: end))
        case 0xC0...0xF7:
            return .list(try items(Int(prefix - 0xC0), depth: depth, end: end))
        default:
            let length = try longLength(Int(prefix - 0xF7), end: end, at: start)
            return .list(try items(length, depth: depth, end: end))
        }
    }

    private mutating func items(_ length: Int, depth: Int, end: Int) throws(RLPError) -> [RLP] {
        guard length <= end - position else { throw .truncated(at: position) }
        let listEnd = position + length
        var items: [RLP] = []
        while position < listEnd { items.append(try item(depth: depth + 1, end: listEnd)) }
        return items
    }

    private mutating func longLength(_ count: Int, end: Int, at start: Int) throws(RLPError) -> Int {
        let lengthBytes = try take(count, end: end)
        guard lengthBytes[0] != 0 else { throw .nonCanonical("a length with a leading zero byte", at: start) }
        guard count <= 7 else { throw .lengthOverflow(at: start) }
        var length = 0
        for byte in lengthBytes { length = length << 8 | Int(byte) }
        guard length >= 56 else { throw .nonCanonical("a length below 56 in the long form", at: start) }
        return length
    }

    private mutating func take(_ count: Int, end: Int) throws(RLPError) -> [UInt8] {
        guard count <= end - position else { throw .truncated(at: position) }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }
}
