import Foundation
public import BigInt

/// An Ethereum transaction to sign: legacy with EIP-155 replay protection, or EIP-1559 (type 2).
/// Amounts are `BigUInt` wei; nothing passes through a Double.
public enum Transaction: Sendable, Hashable {
    case legacy(Legacy)
    case eip1559(EIP1559)

    public struct Legacy: Sendable, Hashable {
        public var chainId: BigUInt
        public var nonce: BigUInt
        public var gasPrice: BigUInt
        public var gasLimit: BigUInt
        /// nil: a contract creation.
        public var to: EthereumAddress?
        public var value: BigUInt
        public var data: [UInt8]

        public init(chainId: BigUInt, nonce: BigUInt, gasPrice: BigUInt, gasLimit: BigUInt, to: EthereumAddress?, value: BigUInt, data: [UInt8]) {
            self.chainId = chainId
            self.nonce = nonce
            self.gasPrice = gasPrice
            self.gasLimit = gasLimit
            self.to = to
            self.value = value
            self.data = data
        }
    }

    public struct EIP1559: Sendable, Hashable {
        public struct AccessListEntry: Sendable, Hashable {
            public var address: EthereumAddress
            /// 32-byte storage keys.
            public var storageKeys: [[UInt8]]

            public init(address: EthereumAddress, storageKeys: [[UInt8]]) {
                self.address = address
                self.storageKeys = storageKeys
            }
        }

        public var chainId: BigUInt
        public var nonce: BigUInt
        public var maxPriorityFeePerGas: BigUInt
        public var maxFeePerGas: BigUInt
        public var gasLimit: BigUInt
        public var to: EthereumAddress?
        public var value: BigUInt
        public var data: [UInt8]
        public var accessList: [AccessListEntry]

        public init(
            chainId: BigUInt, nonce: BigUInt, maxPriorityFeePerGas: BigUInt, maxFeePerGas: BigUInt, gasLimit: BigUInt,
            to: EthereumAddress?, value: BigUInt, data: [UInt8], accessList: [AccessListEntry] = []
        ) {
            self.chainId = chainId
            self.nonce = nonce
            self.maxPriorityFeePerGas = maxPriorityFeePerGas
            self.maxFeePerGas = maxFeePerGas
            self.gasLimit = gasLimit
            self.to = to
            self.value = value
            self.data = data
            self.accessList = accessList
        }
    }

    /// The signed transaction as `eth_sendRawTransaction` takes it, and its hash.
    public struct Signed: Sendable, Hashable {
        public let raw: [UInt8]
        public var hash: [UInt8] { Keccak256.hash(raw) }
    }

    /// The digest the sender signs.
    public var signingDigest: [UInt8] {
        switch self {
        case .legacy(let tx):
            // EIP-155: the chain id and two zeros in place of v, r, s.
            Keccak256.hash(RLP.list(tx.fields + [.integer(tx.chainId), .integer(0), .integer(0)]).encoded)
        case .eip1559(let tx):
            Keccak256.hash([0x02] + RLP.list(tx.fields).encoded)
        }
    }

    public func signed(with secretKey: [UInt8]) throws(SignatureError) -> Signed {
        let (rs, recoveryId) = try Secp256k1.sign(digest: signingDigest, secretKey: secretKey)
        let r = RLP.integer(BigUInt(Data(rs[0..<32]))), s = RLP.integer(BigUInt(Data(rs[32..<64])))
        switch self {
        case .legacy(let tx):
            let v = tx.chainId * 2 + 35 + BigUInt(recoveryId)
            return Signed(raw: RLP.list(tx.fields + [.integer(v), r, s]).encoded)
        case .eip1559(let tx):
            return Signed(raw: [0x02] + RLP.list(tx.fields + [.integer(BigUInt(recoveryId)), r, s]).encoded)
        }
    }
}



extension RLP {
    /// An unsigned integer of any size: big-endian without leading zeros (0 is the empty string).
    public static func integer(_ value: BigUInt) -> RLP { .bytes(Array(value.serialize())) }

    static func address(_ address: EthereumAddress?) -> RLP { .bytes(address?.bytes ?? []) }
}

extension Transaction.Legacy {
    var fields: [RLP] {
        [.integer(nonce), .integer(gasPrice), .integer(gasLimit), .address(to), .integer(value), .bytes(data)]
    }
}

extension Transaction.EIP1559 {
    var fields: [RLP] {
        [
            .integer(chainId), .integer(nonce), .integer(maxPriorityFeePerGas), .integer(maxFeePerGas), .integer(gasLimit),
            .address(to), .integer(value), .bytes(data),
            .list(accessList.map { .list([.bytes($0.address.bytes), .list($0.storageKeys.map(RLP.bytes))]) }),
        ]
    }
}
