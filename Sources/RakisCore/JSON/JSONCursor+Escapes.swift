/// Escapes and UTF-8 errors, apart from the cursor's main loop.
extension JSONCursor {
    mutating func parseEscape() throws(JSONParseError) -> Unicode.Scalar {
        let start = position
        position += 1
        guard position < bytes.count else { throw .invalidEscape(offset: start) }
        let code = bytes[position]
        position += 1
        switch code {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"):
            departures += 1  // canonical JSON writes "/" as it is
            return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            // Canonical JSON spells with \u only the control characters without a short escape,
            // in lower-case hex.
            let digits = UnsafeBufferPointer(rebasing: bytes[position..<min(bytes.count, position + 4)])
            let first = try parseHex4(escapeStart: start)
            if first >= 0x20 || [0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(first) || digits.contains(where: { (0x41...0x46).contains($0) }) {
                departures += 1
            }
            switch first {
            case 0xD800..<0xDC00:
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw .loneSurrogate(offset: start)
                }
                position += 2
                let second = try parseHex4(escapeStart: start)
                guard (0xDC00..<0xE000).contains(second) else { throw .loneSurrogate(offset: start) }
                let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                return Unicode.Scalar(combined)!
            case 0xDC00..<0xE000:
                throw .loneSurrogate(offset: start)
            default:
                return Unicode.Scalar(first)!
            }
        default:
            throw .invalidEscape(offset: start)
        }
    }

    mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw .invalidEscape(offset: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalidEscape(offset: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Offset of the first byte that breaks UTF-8 in `run`, for the error message.
    static func firstInvalidUTF8(_ run: UnsafeBufferPointer<UInt8>) -> Int {
        var decoder = UTF8()
        var iterator = run.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: return offset
            }
        }
    }
}
