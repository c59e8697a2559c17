/// Lower-case hexadecimal, the form every id and signature takes on the wire.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes hex (either case); nil when the text is not an even number of hex digits.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        // Contiguous UTF-8 lets the digits be read in place, without copying them out first.
        return text.withUTF8 { decode(utf8: $0) }
    }

    static func decode(utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        let count = utf8.count / 2
        var valid = true
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            for index in 0..<count {
                let high = nibbles[Int(utf8[2 * index])], low = nibbles[Int(utf8[2 * index + 1])]
                guard high | low < 0x10 else { valid = false; break }
                output[index] = high << 4 | low
            }
            // Every byte is written before the buffer is used; a failed decode is thrown away.
            initialized = valid ? count : 0
        }
        return valid ? bytes : nil
    }

    /// The number the first 16 digits of `text` (or all, when fewer) spell, big-endian; nil when
    /// one of them is not a hex digit.
    public static func leadingUInt64(_ text: String) -> UInt64? {
        var text = text
        return text.withUTF8 { utf8 in
            var value: UInt64 = 0
            for byte in utf8.prefix(16) {
                let digit = nibbles[Int(byte)]
                guard digit < 0x10 else { return nil }
                value = value << 4 | UInt64(digit)
            }
            return value
        }
    }

    /// True when `text` is exactly `byteCount` bytes of lower-case hex.
    public static func isLowercaseHex(_ text: String, byteCount: Int) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == byteCount * 2 && utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        }
    }

    /// Each byte's value as a hex digit, or 0xFF for a byte that is none.
    private static let nibbles: [UInt8] = (0...255).map { nibble(UInt8($0)) ?? 0xFF }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
