import Foundation

/// Converts between `Packet` values and the JSON trees that are signed and sent.
///
/// Decoding reads the JSON tree whose canonical bytes are verified, so what is decoded is exactly
/// what was verified. Encoding goes JSONEncoder → tree, so what is signed is exactly what is sent.
public enum PacketCoding {
    public static func jsonValue(of packet: Packet) throws(PacketEncodingError) -> JSONValue {
        try jsonValue(encoding: packet)
    }

    /// Encodes any `Encodable` into a JSON tree with the packet date format. Fails (rather than
    /// sending what no peer could parse) on a non-finite number such as a rate computed as 0/0.
    public static func jsonValue(encoding value: some Encodable) throws(PacketEncodingError) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Timestamp.format(date))
        }
        do {
            return try JSONParser(maxDepth: 256, maxBytes: .max).parse(try encoder.encode(value))
        } catch let EncodingError.invalidValue(invalid, context) {
            let field = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            throw .notRepresentable(field: "packet" + field, value: "\(invalid)")
        } catch {
            throw .notRepresentable(field: "packet", value: "\(error)")
        }
    }

    public static func packet(from json: JSONValue) throws(PacketDecodingError) -> Packet {
        try decode(Packet.self, from: json, root: "packet")
    }

    public static func decode<T: Decodable>(_ type: T.Type, from json: JSONValue, root: String) throws(PacketDecodingError) -> T {
        guard case .object = json else {
            throw .wrongType(field: root, expected: "an object")
        }
        do {
            return try treeDecoder.decode(T.self, from: json)
        } catch let error as PacketDecodingError {
            throw error
        } catch let error as DecodingError {
            throw PacketDecodingError.from(error, root: root)
        } catch {
            throw .invalidValue(field: root, reason: "\(error)")
        }
    }

    /// Straight from the tree: what is decoded is the tree that was verified, as its canonical
    /// bytes are what the signature covers.
    private static let treeDecoder = JSONTreeDecoder(date: ISO8601Timestamp.parse, dateExpectation: "an ISO-8601 time with a UTC offset")
}
