extension KeyedDecodingContainer {
    /// Decodes a JSON array of byte values (a binary embedding), naming the offending element
    /// when one is not an integer from 0 to 255. (Decoding `[UInt8]` directly would lose the
    /// element's index in the error.)
    func decodeBytes(forKey key: Key) throws -> [UInt8] {
        let numbers = try decode([Double].self, forKey: key)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(numbers.count)
        for (index, number) in numbers.enumerated() {
            guard number >= 0, number <= 255, number == number.rounded() else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: codingPath + [key, ArrayIndexKey(index)],
                    debugDescription: "\(number) is not a byte (an integer from 0 to 255)"))
            }
            bytes.append(UInt8(number))
        }
        return bytes
    }
}

struct ArrayIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}
