import Foundation

/// Decodes `Decodable` values straight from a parsed `JSONValue` tree, with Foundation's
/// `JSONDecoder`'s errors (coding path, type mismatch, missing key), so that `PacketDecodingError`
/// names the same fields. Intake decodes every packet from a peer: printing the tree back to
/// bytes for `JSONDecoder` to parse again cost more than the parse itself.
struct JSONTreeDecoder {
    /// Reads a `Date` from its JSON string; nil: not a time.
    let date: @Sendable (String) -> Date?
    /// What a refused date's error says it should be.
    let dateExpectation: String

    func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONTreeNode(value: value, codingPath: [], options: self).decodeValue(type)
    }
}

/// One value of the tree being decoded, and where it lies.
final class JSONTreeNode: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let options: JSONTreeDecoder
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, codingPath: [any CodingKey], options: JSONTreeDecoder) {
        self.value = value
        self.codingPath = codingPath
        self.options = options
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let members): return KeyedDecodingContainer(JSONTreeKeyedContainer<Key>(node: self, members: members))
        case .null: throw DecodingError.valueNotFound([String: Any].self, context("Cannot get keyed decoding container -- found null value instead"))
        default: throw DecodingError.typeMismatch([String: Any].self, context("Expected to decode Dictionary<String, Any> but found \(value.typeName) instead."))
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let items): return JSONTreeUnkeyedContainer(node: self, items: items)
        case .null: throw DecodingError.valueNotFound([Any].self, context("Cannot get unkeyed decoding container -- found null value instead"))
        default: throw DecodingError.typeMismatch([Any].self, context("Expected to decode Array<Any> but found \(value.typeName) instead."))
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func child(_ value: JSONValue, at key: any CodingKey) -> JSONTreeNode {
        JSONTreeNode(value: value, codingPath: codingPath + [key], options: options)
    }

    func context(_ description: String) -> DecodingError.Context {
        DecodingError.Context(codingPath: codingPath, debugDescription: description)
    }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(type) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = value else { throw mismatch(type) }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double { try number(type) }
    func decode(_ type: Float.Type) throws -> Float { Float(try number(type)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == Date.self {
            let text = try decode(String.self)
            guard let date = options.date(text) else {
                throw DecodingError.dataCorrupted(context("\"\(text.prefix(40))\" is not \(options.dateExpectation)"))
            }
            return date as! T
        }
        return try T(from: self)
    }

    private func number(_ type: Any.Type) throws -> Double {
        guard case .number(let number) = value else { throw mismatch(type) }
        return number
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let number = try number(type)
        guard let exact = T(exactly: number) else {
            throw DecodingError.dataCorrupted(context("Parsed JSON number <\(number)> does not fit in \(type)."))
        }
        return exact
    }

    private func mismatch(_ type: Any.Type) -> DecodingError {
        if value == .null { return DecodingError.valueNotFound(type, context("Expected \(type) value but found null instead.")) }
        return DecodingError.typeMismatch(type, context("Expected to decode \(type) but found \(value.typeName) instead."))
    }
}

struct JSONTreeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: JSONTreeNode
    let members: [String: JSONValue]

    var codingPath: [any CodingKey] { node.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func child(_ key: Key) throws -> JSONTreeNode {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, node.context("No value associated with key \(key.stringValue)."))
        }
        return node.child(value, at: key)
    }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, node.context("No value associated with key \(key.stringValue)."))
        }
        return value
    }

    // Strings, flags, numbers and dates are read from the member itself: a child node (an object
    // and a longer coding path) is made only for what nests, or to name the field in an error.
    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let member = try value(key)
        if case .bool(let flag) = member { return flag }
        return try node.child(member, at: key).decode(type)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let member = try value(key)
        if case .string(let text) = member { return text }
        return try node.child(member, at: key).decode(type)
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let member = try value(key)
        if case .number(let number) = member { return number }
        return try node.child(member, at: key).decode(type)
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let member = try value(key)
        if type == Date.self, case .string(let text) = member, let date = node.options.date(text) { return date as! T }
        return try node.child(member, at: key).decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { node.child(members["super"] ?? .null, at: JSONTreeIndexKey(stringValue: "super")) }
    func superDecoder(forKey key: Key) throws -> any Decoder { node.child(members[key.stringValue] ?? .null, at: key) }
}

struct JSONTreeUnkeyedContainer: UnkeyedDecodingContainer {
    let node: JSONTreeNode
    let items: [JSONValue]
    private(set) var currentIndex = 0

    init(node: JSONTreeNode, items: [JSONValue]) {
        self.node = node
        self.items = items
    }

    var codingPath: [any CodingKey] { node.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next(_ type: Any.Type) throws -> JSONTreeNode {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: codingPath + [JSONTreeIndexKey(index: currentIndex)], debugDescription: "Unkeyed container is at end."))
        }
        defer { currentIndex += 1 }
        return node.child(items[currentIndex], at: JSONTreeIndexKey(index: currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next(type).decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type).decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type).decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type).decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decodeValue(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: Any].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next([Any].self).unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}

/// An array index or `super` as a coding key, for paths such as `packet.bEmbedding[3]`.
struct JSONTreeIndexKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init?(intValue: Int) { self.init(index: intValue) }
}
