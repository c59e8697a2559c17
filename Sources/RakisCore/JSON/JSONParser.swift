/// A strict RFC 8259 / I-JSON parser for bytes that arrive from untrusted peers.
///
/// It rejects what Foundation would tolerate or crash on: invalid UTF-8, lone surrogates,
/// duplicate member names, nesting deeper than `maxDepth`, inputs larger than `maxBytes`,
/// and non-finite numbers. Every failure is a `JSONParseError` with the byte offset.
public struct JSONParser: Sendable {
    public var maxDepth: Int
    public var maxBytes: Int

    public init(maxDepth: Int = 64, maxBytes: Int = 1 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }

    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= maxBytes else { throw .tooLarge(bytes: bytes.count, limit: maxBytes) }
        let buffer = Array(bytes)
        return try buffer.withUnsafeBufferPointer { pointer throws(JSONParseError) in
            var cursor = JSONCursor(bytes: pointer, maxDepth: maxDepth)
            cursor.skipWhitespace()
            let value = try cursor.parseValue(depth: 0)
            cursor.skipWhitespace()
            guard cursor.atEnd else { throw .unexpected(offset: cursor.position, expected: "end of input") }
            return value
        }
    }

    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses an object and returns, beside it, the bytes of its member `name` when they are
    /// already canonical JSON (RFC 8785, as `CanonicalJSON` writes): no whitespace, members in
    /// UTF-16 order, only the escapes canonical JSON writes, numbers in ECMAScript form. A signed
    /// packet from a rakis peer arrives so, and then needs no canonical re-encoding; otherwise
    /// nil, and the caller encodes.
    public func parse(_ bytes: some Collection<UInt8>, canonicalMember name: String) throws(JSONParseError) -> (JSONValue, [UInt8]?) {
        guard bytes.count <= maxBytes else { throw .tooLarge(bytes: bytes.count, limit: maxBytes) }
        let buffer = Array(bytes)
        return try buffer.withUnsafeBufferPointer { pointer throws(JSONParseError) in
            var cursor = JSONCursor(bytes: pointer, maxDepth: maxDepth)
            cursor.watchedMember = name
            cursor.skipWhitespace()
            let value = try cursor.parseValue(depth: 0)
            cursor.skipWhitespace()
            guard cursor.atEnd else { throw .unexpected(offset: cursor.position, expected: "end of input") }
            return (value, cursor.canonicalWatchedMember.map { Array(pointer[$0]) })
        }
    }
}

/// Reads JSON from bytes; one per parse.
struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var position = 0
    /// Things seen that canonical JSON writes otherwise (whitespace, an escape, members out of
    /// order, a number in another form): a value's text is canonical when none is seen in it.
    var departures = 0
    /// The top-level member whose canonical text is wanted, and its range once known.
    var watchedMember: String?
    var canonicalWatchedMember: Range<Int>?

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    var atEnd: Bool { position >= bytes.count }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D:
                position += 1
                departures += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw .unexpected(offset: position, expected: "a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw .unexpected(offset: position, expected: "a value")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw .unexpected(offset: position, expected: "\(literal)") }
        for i in 0..<count where bytes[position + i] != literal.utf8Start[i] {
            throw .unexpected(offset: position, expected: "\(literal)")
        }
        position += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep(offset: position, limit: maxDepth) }
        position += 1
        // Packets' objects hold a handful of members: room for them at once spares the rehashing
        // of a dictionary grown one doubling at a time.
        var members = [String: JSONValue](minimumCapacity: 8)
        var previousKey: String?
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw .unexpected(offset: position, expected: "a member name")
            }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw .unexpected(offset: position, expected: "':'")
            }
            position += 1
            skipWhitespace()
            if watchedMember != nil {
                if let previous = previousKey, !Self.precedesCanonically(previous, key) { departures += 1 }
                previousKey = key
            }
            let valueStart = position, departuresBefore = departures
            let value = try parseValue(depth: depth)
            if depth == 1, key == watchedMember, departures == departuresBefore {
                canonicalWatchedMember = valueStart..<position
            }
            guard members.updateValue(value, forKey: key) == nil else {
                throw .duplicateKey(offset: keyOffset, key: key)
            }
            skipWhitespace()
            guard position < bytes.count else { throw .unexpected(offset: position, expected: "',' or '}'") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw .unexpected(offset: position, expected: "',' or '}'")
        }
    }

    /// Canonical member order: by UTF-16 code units, which for ASCII keys is their bytes' order.
    static func precedesCanonically(_ a: String, _ b: String) -> Bool {
        let ascii = a.utf8.allSatisfy { $0 < 0x80 } && b.utf8.allSatisfy { $0 < 0x80 }
        return ascii ? a.utf8.lexicographicallyPrecedes(b.utf8) : a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep(offset: position, limit: maxDepth) }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw .unexpected(offset: position, expected: "',' or ']'") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
            throw .unexpected(offset: position, expected: "',' or ']'")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw .invalidNumber(offset: start) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if isDigit(bytes[position]) {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        } else {
            throw .invalidNumber(offset: start)
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw .invalidNumber(offset: start) }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw .invalidNumber(offset: start) }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw .invalidNumber(offset: start) }
        // Formatting costs: only a parse that wants canonical text checks its numbers.
        if watchedMember != nil, ECMAScriptNumber.format(value) != text { departures += 1 }
        return value
    }

    /// Moves past eight bytes at a time while none of them ends a plain run of a string: a
    /// quote, a backslash, a control character or a byte of a multi-byte character. Most of a
    /// packet's bytes are ids, hashes and hex inside strings.
    mutating func skipPlainASCII() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs = ones &* 0x80
        while position &+ 8 <= bytes.count {
            let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
            let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
            // A byte that is zero after the XOR (or below 0x20) borrows into its high bit.
            let zeroQuote = (quote &- ones) & ~quote, zeroBackslash = (backslash &- ones) & ~backslash
            let control = (word &- ones &* 0x20) & ~word
            guard (word | zeroQuote | zeroBackslash | control) & highs == 0 else { return }
            position &+= 8
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        position += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        var runStart = position
        // Plain ASCII (ids, hex, most text) needs no UTF-8 validation: the scan saw every byte.
        var isASCII = true
        func flushRun(_ cursor: JSONCursor, upTo end: Int, into scalars: inout String.UnicodeScalarView) throws(JSONParseError) {
            guard end > runStart else { return }
            let run = UnsafeBufferPointer(rebasing: cursor.bytes[runStart..<end])
            guard let text = String(validating: run, as: UTF8.self) else {
                throw .invalidUTF8(offset: JSONCursor.firstInvalidUTF8(run) + runStart)
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            skipPlainASCII()
            guard position < bytes.count else { throw .unexpected(offset: position, expected: "closing '\"'") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                if scalars.isEmpty {
                    // No escape in it (the common case): the bytes are the string.
                    let run = UnsafeBufferPointer(rebasing: bytes[runStart..<position])
                    if isASCII {
                        position += 1
                        return String(decoding: run, as: UTF8.self)
                    }
                    guard let text = String(validating: run, as: UTF8.self) else {
                        throw .invalidUTF8(offset: JSONCursor.firstInvalidUTF8(run) + runStart)
                    }
                    position += 1
                    return text
                }
                try flushRun(self, upTo: position, into: &scalars)
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flushRun(self, upTo: position, into: &scalars)
                scalars.append(try parseEscape())
                runStart = position
            case 0x00..<0x20:
                throw .controlCharacterInString(offset: position)
            default:
                if byte >= 0x80 { isASCII = false }
                position += 1
            }
        }
    }
}
