import BigInt
import Foundation

/// The contract ABI's head/tail encoding: static values in place, dynamic ones behind an offset
/// into the tail. Decoding is strict — every offset and length is checked against the data, and
/// padding must be canonical — so a value has one encoding and hostile data ends in an `ABIError`.
public enum ABI {
    public static func encode(_ values: [ABIValue], as types: [ABIType]) throws(ABIError) -> [UInt8] {
        try encodeSequence(values, types, context: "(" + types.map(\.description).joined(separator: ",") + ")")
    }

    public static func decode(_ types: [ABIType], from data: [UInt8]) throws(ABIError) -> [ABIValue] {
        // Honest data decodes into at most one value per word and nesting level (types nest at most 32 deep).
        var budget = (data.count / 32 + 1) * 34
        return try decodeSequence(types, data, base: 0, budget: &budget)
    }

    /// The first four bytes of the Keccak-256 of a function's canonical signature, e.g. `transfer(address,uint256)`.
    public static func selector(_ signature: String) -> [UInt8] { Array(Keccak256.hash(Array(signature.utf8)).prefix(4)) }

    /// The topic an event's canonical signature gives its logs, e.g. `Transfer(address,address,uint256)`.
    public static func eventTopic(_ signature: String) -> [UInt8] { Keccak256.hash(Array(signature.utf8)) }

    // MARK: Encoding

    private static func encodeSequence(_ values: [ABIValue], _ types: [ABIType], context: String) throws(ABIError) -> [UInt8] {
        guard values.count == types.count else {
            throw .valueDoesNotFit(type: context, reason: "\(values.count) values for \(types.count) types")
        }
        let headSize = types.reduce(0) { $0 + $1.headSize }
        var head: [UInt8] = [], tail: [UInt8] = []
        for (value, type) in zip(values, types) {
            let encoded = try encode(value, as: type)
            if type.isDynamic {
                head += word(BigUInt(headSize + tail.count))
                tail += encoded
            } else {
                head += encoded
            }
        }
        return head + tail
    }

    private static func encode(_ value: ABIValue, as type: ABIType) throws(ABIError) -> [UInt8] {
        func mismatch(_ reason: String) -> ABIError { .valueDoesNotFit(type: type.description, reason: reason) }
        switch (type, value) {
        case (.uint(let bits), .uint(let n)):
            guard n.bitWidth - n.leadingZeroBitCount <= bits else { throw mismatch("\(n) needs more than \(bits) bits") }
            return word(n)
        case (.int(let bits), .int(let n)):
            let limit = BigInt(1) << (bits - 1)
            guard n >= -limit, n < limit else { throw mismatch("\(n) is outside the \(bits)-bit range") }
            return signedWord(n)
        case (.address, .address(let address)):
            return [UInt8](repeating: 0, count: 12) + address.bytes
        case (.bool, .bool(let flag)):
            return word(flag ? 1 : 0)
        case (.fixedBytes(let size), .fixedBytes(let bytes)):
            guard bytes.count == size else { throw mismatch("\(bytes.count) bytes") }
            return bytes + [UInt8](repeating: 0, count: 32 - size)
        case (.bytes, .bytes(let bytes)):
            return word(BigUInt(bytes.count)) + padded(bytes)
        case (.string, .string(let text)):
            let bytes = Array(text.utf8)
            return word(BigUInt(bytes.count)) + padded(bytes)
        case (.array(let element, let length), .array(let items)):
            if let length, items.count != length { throw mismatch("\(items.count) elements") }
            let body = try encodeSequence(items, Array(repeating: element, count: items.count), context: type.description)
            return length == nil ? word(BigUInt(items.count)) + body : body
        case (.tuple(let members), .tuple(let items)):
            return try encodeSequence(items, members, context: type.description)
        default:
            throw mismatch("a value of another type")
        }
    }

    static func word(_ n: BigUInt) -> [UInt8] {
        let bytes = Array(n.serialize())
        return [UInt8](repeating: 0, count: 32 - bytes.count) + bytes
    }

    /// Two's complement in 32 bytes.
    static func signedWord(_ n: BigInt) -> [UInt8] {
        if n >= 0 { return word(n.magnitude) }
        let complement = (BigUInt(1) << 256) - n.magnitude
        return word(complement)
    }

    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (32 - bytes.count % 32) % 32)
    }

    // MARK: Decoding

    /// `budget` bounds the elements decoded in all, so that nested arrays whose offsets all point
    /// at one small region cannot make a few bytes of input decode into billions of values.
    private static func decodeSequence(_ types: [ABIType], _ data: [UInt8], base: Int, budget: inout Int) throws(ABIError) -> [ABIValue] {
        var values: [ABIValue] = []
        var position = base
        for type in types {
            if type.isDynamic {
                let offset = try readLength(data, at: position)
                guard offset <= data.count - base else { throw .offsetOutOfRange(at: position) }
                values.append(try decode(type, data, at: base + offset, budget: &budget))
            } else {
                values.append(try decode(type, data, at: position, budget: &budget))
            }
            position += type.headSize
        }
        return values
    }

    private static func decode(_ type: ABIType, _ data: [UInt8], at position: Int, budget: inout Int) throws(ABIError) -> ABIValue {
        budget -= 1
        guard budget >= 0 else { throw .tooLarge(at: position) }
        switch type {
        case .uint(let bits):
            let value = BigUInt(Data(try readWord(data, at: position)))
            guard value.bitWidth - value.leadingZeroBitCount <= bits else { throw .badPadding(type: type.description, at: position) }
            return .uint(value)
        case .int(let bits):
            let raw = try readWord(data, at: position)
            let unsigned = BigUInt(Data(raw))
            let value = raw[0] & 0x80 == 0 ? BigInt(unsigned) : BigInt(unsigned) - (BigInt(1) << 256)
            let limit = BigInt(1) << (bits - 1)
            guard value >= -limit, value < limit else { throw .badPadding(type: type.description, at: position) }
            return .int(value)
        case .address:
            let raw = try readWord(data, at: position)
            guard raw[0..<12].allSatisfy({ $0 == 0 }) else { throw .badPadding(type: "address", at: position) }
            do { return .address(try EthereumAddress(bytes: Array(raw[12...]))) } catch { throw .badPadding(type: "address", at: position) }
        case .bool:
            let raw = try readWord(data, at: position)
            guard raw[0..<31].allSatisfy({ $0 == 0 }), raw[31] <= 1 else { throw .badPadding(type: "bool", at: position) }
            return .bool(raw[31] == 1)
        case .fixedBytes(let size):
            let raw = try readWord(data, at: position)
            guard raw[size...].allSatisfy({ $0 == 0 }) else { throw .badPadding(type: type.description, at: position) }
            return .fixedBytes(Array(raw[0..<size]))
        case .bytes, .string:
            let length = try readLength(data, at: position)
            let start = position + 32
            guard length <= data.count - start else { throw .offsetOutOfRange(at: position) }
            let paddedLength = (length + 31) / 32 * 32
            guard paddedLength <= data.count - start else { throw .truncated(at: start) }
            guard data[(start + length)..<(start + paddedLength)].allSatisfy({ $0 == 0 }) else { throw .badPadding(type: type.description, at: start) }
            let bytes = Array(data[start..<(start + length)])
            if case .bytes = type { return .bytes(bytes) }
            guard let text = String(validating: bytes, as: UTF8.self) else { throw .badUTF8(at: start) }
            return .string(text)
        case .array(let element, let length):
            var count = length ?? 0
            var base = position
            if length == nil {
                count = try readLength(data, at: position)
                base = position + 32
            }
            // Each element takes at least one word of the data.
            guard count <= (data.count - min(base, data.count)) / 32, count <= budget else { throw .tooLarge(at: position) }
            return .array(try decodeSequence(Array(repeating: element, count: count), data, base: base, budget: &budget))
        case .tuple(let members):
            return .tuple(try decodeSequence(members, data, base: position, budget: &budget))
        }
    }

    /// The 32-byte word at `position`, indexed from 0.
    private static func readWord(_ data: [UInt8], at position: Int) throws(ABIError) -> [UInt8] {
        guard position >= 0, position <= data.count - 32 else { throw .truncated(at: position) }
        return Array(data[position..<(position + 32)])
    }

    /// A word that holds an offset or a length: it must fit an Int that can index the data.
    private static func readLength(_ data: [UInt8], at position: Int) throws(ABIError) -> Int {
        let raw = try readWord(data, at: position)
        guard raw[0..<24].allSatisfy({ $0 == 0 }) else { throw .offsetOutOfRange(at: position) }
        var value = 0
        for byte in raw[24...] { value = value << 8 | Int(byte) }
        guard value >= 0, value <= data.count else { throw .offsetOutOfRange(at: position) }
        return value
    }
}

