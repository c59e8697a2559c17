/// Why `JSONParser` refused a text, with the byte offset where it saw the fault.
public enum JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case tooDeep(offset: Int, limit: Int)
    case unexpected(offset: Int, expected: String)
    case invalidUTF8(offset: Int)
    case invalidEscape(offset: Int)
    case loneSurrogate(offset: Int)
    case controlCharacterInString(offset: Int)
    case invalidNumber(offset: Int)
    case duplicateKey(offset: Int, key: String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "input is \(bytes) bytes; the limit is \(limit)"
        case .tooDeep(let offset, let limit): "nesting deeper than \(limit) levels at byte \(offset)"
        case .unexpected(let offset, let expected): "expected \(expected) at byte \(offset)"
        case .invalidUTF8(let offset): "invalid UTF-8 at byte \(offset)"
        case .invalidEscape(let offset): "invalid escape sequence at byte \(offset)"
        case .loneSurrogate(let offset): "unpaired UTF-16 surrogate escape at byte \(offset)"
        case .controlCharacterInString(let offset): "unescaped control character in a string at byte \(offset)"
        case .invalidNumber(let offset): "invalid or non-finite number at byte \(offset)"
        case .duplicateKey(let offset, let key): "duplicate member name \"\(key)\" at byte \(offset)"
        }
    }
}
