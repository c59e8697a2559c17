public import BigInt
public import RakisCore

/// JSON-RPC's encodings: quantities as `0x` hex without leading zeros, data as `0x` hex bytes.
public enum Quantity {
    public static func encode(_ value: BigUInt) -> JSONValue { .string("0x" + String(value, radix: 16)) }

    public static func encode(_ value: UInt64) -> JSONValue { .string("0x" + String(value, radix: 16)) }

    public static func data(_ bytes: [UInt8]) -> JSONValue { .string("0x" + Hex.encode(bytes)) }

    static func big(_ value: JSONValue?, _ what: String, url: String) throws(ChainRPCError) -> BigUInt {
        guard let text = value?.stringValue, text.hasPrefix("0x"), text.count > 2, let number = BigUInt(text.dropFirst(2), radix: 16) else {
            throw .malformedResponse(url: url, reason: "\(what) is not a hex quantity")
        }
        return number
    }

    static func uint64(_ value: JSONValue?, _ what: String, url: String) throws(ChainRPCError) -> UInt64 {
        let number = try big(value, what, url: url)
        guard number <= BigUInt(UInt64.max) else { throw .malformedResponse(url: url, reason: "\(what) does not fit 64 bits") }
        return UInt64(number)
    }

    static func bytes(_ value: JSONValue?, _ what: String, url: String) throws(ChainRPCError) -> [UInt8] {
        guard let text = value?.stringValue, text.hasPrefix("0x"), let bytes = Hex.decode(String(text.dropFirst(2))) else {
            throw .malformedResponse(url: url, reason: "\(what) is not hex data")
        }
        return bytes
    }
}
