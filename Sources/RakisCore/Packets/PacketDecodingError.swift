/// Why bytes from a peer are not a packet. Every case names the offending field (as a path
/// such as `packet.payload.securityFrame.quorum`) or the byte offset.
public enum PacketDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedJSON(JSONParseError)
    case missingField(String)
    case wrongType(field: String, expected: String)
    case invalidValue(field: String, reason: String)
    case unknownPacketType(String)

    public var description: String {
        switch self {
        case .malformedJSON(let error): "malformed JSON: \(error)"
        case .missingField(let field): "missing field \(field)"
        case .wrongType(let field, let expected): "field \(field) should be \(expected)"
        case .invalidValue(let field, let reason): "invalid value in \(field): \(reason)"
        case .unknownPacketType(let name): "unknown packet type \"\(name)\""
        }
    }

    /// Maps Foundation's `DecodingError` (whose coding path says where it failed) to a typed error.
    static func from(_ error: DecodingError, root: String) -> PacketDecodingError {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            var text = root
            for key in codingPath + (last.map { [$0] } ?? []) {
                if let index = key.intValue { text += "[\(index)]" } else { text += "." + key.stringValue }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .missingField(path(context.codingPath, key))
        case .typeMismatch(let type, let context):
            return .wrongType(field: path(context.codingPath), expected: jsonTypeName(of: type))
        case .valueNotFound(let type, let context):
            return .wrongType(field: path(context.codingPath), expected: "\(jsonTypeName(of: type)), not null")
        case .dataCorrupted(let context):
            return .invalidValue(field: path(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .invalidValue(field: root, reason: "\(error)")
        }
    }

    private static func jsonTypeName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is UInt8.Type, is Int64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "\(type)"
        }
    }
}

/// Why one of this node's own packets cannot be encoded: a value JSON cannot carry.
public enum PacketEncodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case notRepresentable(field: String, value: String)

    public var description: String {
        switch self {
        case .notRepresentable(let field, let value): "cannot send \(field) = \(value): JSON numbers must be finite"
        }
    }
}
