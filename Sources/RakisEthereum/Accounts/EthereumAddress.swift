import RakisCore

/// A 20-byte Ethereum account address. Text is EIP-55: mixed-case hex whose letters' case is
/// a checksum over the lower-case form.
public struct EthereumAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(EthereumAddressError) {
        guard bytes.count == 20 else { throw .wrongLength(bytes.count) }
        self.bytes = bytes
    }

    /// The address of an uncompressed public key (65 bytes starting 0x04, or its 64-byte body):
    /// the last 20 bytes of the Keccak-256 of the 64-byte body.
    public init(publicKey: [UInt8]) throws(EthereumAddressError) {
        let body: ArraySlice<UInt8>
        switch publicKey.count {
        case 65 where publicKey[0] == 0x04: body = publicKey[1...]
        case 64: body = publicKey[...]
        default: throw .notAPublicKey
        }
        self.bytes = Array(Keccak256.hash(body).suffix(20))
    }

    /// Parses `0x`-prefixed hex. All-lower or all-upper case is taken as it is; mixed case must
    /// carry a correct EIP-55 checksum, as a typo would otherwise go unnoticed.
    public init(_ text: String) throws(EthereumAddressError) {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { throw .missingPrefix }
        let digits = String(text.dropFirst(2))
        guard digits.utf8.count == 40, let bytes = Hex.decode(digits.lowercased()) else { throw .notHex(text) }
        self.bytes = bytes
        let hasLower = digits.contains { $0.isLowercase }, hasUpper = digits.contains { $0.isUppercase }
        if hasLower, hasUpper, "0x" + digits != checksummed { throw .badChecksum(text) }
    }

    /// The EIP-55 form, `0x` and 40 mixed-case hex digits.
    public var checksummed: String {
        let lower = Hex.encode(bytes)
        let hash = Keccak256.hash(Array(lower.utf8))
        var out = "0x"
        for (index, character) in lower.enumerated() {
            let nibble = (hash[index / 2] >> (index % 2 == 0 ? 4 : 0)) & 0x0F
            out.append(character.isLetter && nibble >= 8 ? Character(character.uppercased()) : character)
        }
        return out
    }

    public var description: String { checksummed }
}

public enum EthereumAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongLength(Int)
    case missingPrefix
    case notHex(String)
    case badChecksum(String)
    case notAPublicKey

    public var description: String {
        switch self {
        case .wrongLength(let n): "an Ethereum address has 20 bytes, not \(n)"
        case .missingPrefix: "an Ethereum address starts with 0x"
        case .notHex(let text): "\(text.prefix(64).debugDescription) is not 0x and 40 hex digits"
        case .badChecksum(let text): "\(text) has mixed case that is not its EIP-55 checksum; check for a typo"
        case .notAPublicKey: "an Ethereum address comes from a 64- or 65-byte uncompressed secp256k1 public key"
        }
    }
}
