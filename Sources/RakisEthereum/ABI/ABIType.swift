/// A Solidity ABI type, parsed from and printed as its canonical name (`uint256`,
/// `(address,bytes)[2]`), the form selectors and event topics hash.
public indirect enum ABIType: Sendable, Hashable, CustomStringConvertible {
    case uint(bits: Int)
    case int(bits: Int)
    case address
    case bool
    case fixedBytes(Int)
    case bytes
    case string
    /// `T[k]` with a length, `T[]` without.
    case array(ABIType, length: Int?)
    case tuple([ABIType])

    /// Whether its encoding has a variable size (and so sits in the tail, behind an offset).
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array(_, nil): true
        case .array(let element, .some): element.isDynamic
        case .tuple(let members): members.contains(where: \.isDynamic)
        default: false
        }
    }

    /// Bytes a static type takes in the head (32 for a dynamic one: its offset).
    var headSize: Int {
        switch self {
        case .array(let element, .some(let length)) where !isDynamic: length * element.headSize
        case .tuple(let members) where !isDynamic: members.reduce(0) { $0 + $1.headSize }
        default: 32
        }
    }

    public var description: String {
        switch self {
        case .uint(let bits): "uint\(bits)"
        case .int(let bits): "int\(bits)"
        case .address: "address"
        case .bool: "bool"
        case .fixedBytes(let n): "bytes\(n)"
        case .bytes: "bytes"
        case .string: "string"
        case .array(let element, let length): "\(element)[\(length.map(String.init) ?? "")]"
        case .tuple(let members): "(" + members.map(\.description).joined(separator: ",") + ")"
        }
    }

    public init(parsing text: String) throws(ABIError) {
        var parser = ABITypeParser(Array(text.utf8))
        let type = try parser.type()
        guard parser.atEnd else { throw .badType(text) }
        self = type
    }
}

/// Reads canonical type names: elementary names, tuples in parentheses, array suffixes.
private struct ABITypeParser {
    let bytes: [UInt8]
    var position = 0
    var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }
    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func type() throws(ABIError) -> ABIType {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 32 else { throw .badType(text) }
        var base: ABIType
        if position < bytes.count, bytes[position] == UInt8(ascii: "(") {
            position += 1
            var members: [ABIType] = []
            if position < bytes.count, bytes[position] == UInt8(ascii: ")") {
                position += 1
            } else {
                while true {
                    members.append(try type())
                    guard position < bytes.count else { throw .badType(text) }
                    let separator = bytes[position]
                    position += 1
                    if separator == UInt8(ascii: ")") { break }
                    guard separator == UInt8(ascii: ",") else { throw .badType(text) }
                }
            }
            base = .tuple(members)
        } else {
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "["), bytes[position] != UInt8(ascii: ","), bytes[position] != UInt8(ascii: ")") {
                position += 1
            }
            base = try Self.elementary(String(decoding: bytes[start..<position], as: UTF8.self), in: text)
        }
        while position < bytes.count, bytes[position] == UInt8(ascii: "[") {
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "]") { position += 1 }
            guard position < bytes.count else { throw .badType(text) }
            let digits = String(decoding: bytes[start..<position], as: UTF8.self)
            position += 1
            if digits.isEmpty {
                base = .array(base, length: nil)
            } else {
                guard digits.first != "0", let length = Int(digits), (1...65_536).contains(length) else { throw .badType(text) }
                base = .array(base, length: length)
            }
        }
        return base
    }

    static func elementary(_ name: String, in text: String) throws(ABIError) -> ABIType {
        func size(_ digits: Substring, default fallback: Int, valid: (Int) -> Bool) throws(ABIError) -> Int {
            if digits.isEmpty { return fallback }
            guard digits.first != "0", let n = Int(digits), valid(n) else { throw .badType(text) }
            return n
        }
        switch name {
        case "address": return .address
        case "bool": return .bool
        case "string": return .string
        case "bytes": return .bytes
        default:
            if name.hasPrefix("uint") { return .uint(bits: try size(name.dropFirst(4), default: 256) { $0 % 8 == 0 && (8...256).contains($0) }) }
            if name.hasPrefix("int") { return .int(bits: try size(name.dropFirst(3), default: 256) { $0 % 8 == 0 && (8...256).contains($0) }) }
            if name.hasPrefix("bytes") {
                let digits = name.dropFirst(5)
                guard !digits.isEmpty else { throw .badType(text) }
                return .fixedBytes(try size(digits, default: 0) { (1...32).contains($0) })
            }
            throw .badType(text)
        }
    }
}

public enum ABIError: Error, Equatable, Sendable, CustomStringConvertible {
    case badType(String)
    case valueDoesNotFit(type: String, reason: String)
    case truncated(at: Int)
    case offsetOutOfRange(at: Int)
    case badPadding(type: String, at: Int)
    case badUTF8(at: Int)
    case tooLarge(at: Int)
    case wrongTopicCount(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .badType(let text): "\(text.prefix(200).debugDescription) is not an ABI type"
        case .valueDoesNotFit(let type, let reason): "value does not fit \(type): \(reason)"
        case .truncated(let at): "ABI data is cut short at byte \(at)"
        case .offsetOutOfRange(let at): "ABI offset or length at byte \(at) points outside the data"
        case .badPadding(let type, let at): "ABI word at byte \(at) is not a canonical \(type)"
        case .badUTF8(let at): "ABI string at byte \(at) is not UTF-8"
        case .tooLarge(let at): "ABI array or bytes at byte \(at) claims more elements than the data can hold"
        case .wrongTopicCount(let expected, let got): "the log has \(got) topics; the event has \(expected)"
        }
    }
}
