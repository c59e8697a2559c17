public import BigInt

/// A value of an ABI type. Integers are arbitrary precision, so that wei never passes through a
/// Double.
public indirect enum ABIValue: Sendable, Hashable {
    case uint(BigUInt)
    case int(BigInt)
    case address(EthereumAddress)
    case bool(Bool)
    case fixedBytes([UInt8])
    case bytes([UInt8])
    case string(String)
    case array([ABIValue])
    case tuple([ABIValue])
}
