import Foundation
import RakisCore
import RakisEthereum
import RakisTestSupport
import BigInt

/// Cases made by independent implementations (Tests/Fixtures/ethereum-vectors.py: eth-hash with
/// pycryptodome, rlp, eth-keys, eth-account), committed or made afresh by a live run.
struct EthereumVectors: Decodable {
    struct KeccakCase: Decodable { let input: String; let digest: String }
    struct RLPCase: Decodable { let item: RLPJSON; let encoding: String }
    struct AddressCase: Decodable { let publicKey: String; let address: String }
    struct PersonalCase: Decodable { let message: String; let secretKey: String; let signature: String; let address: String }
    struct IdentityCase: Decodable { let synthientId: String; let address: String; let signature: String }
    struct ABICase: Decodable { let types: [String]; let values: [ABIJSON]; let encoding: String }
    struct TransactionCase: Decodable { let secretKey: String; let transaction: [String: TransactionField]; let raw: String; let hash: String }

    let keccak: [KeccakCase]
    let rlp: [RLPCase]
    let addresses: [AddressCase]
    let personal: [PersonalCase]
    let identities: [IdentityCase]
    let abi: [ABICase]
    let transactions: [TransactionCase]

    static func committed() throws -> EthereumVectors {
        try JSONDecoder().decode(Self.self, from: Data(contentsOf: LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/ethereum-vectors.json")))
    }

    /// `count` fresh cases of each kind from the independent implementations.
    static func live(seed: Int, count: Int) async throws -> EthereumVectors {
        try JSONDecoder().decode(Self.self, from: try await EthereumReference.generate(seed: seed, count: count))
    }
}

/// An RLP structure as the script writes it: hex strings for byte strings, arrays for lists.
indirect enum RLPJSON: Decodable {
    case bytes(String)
    case list([RLPJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .bytes(text) } else { self = .list(try container.decode([RLPJSON].self)) }
    }

    var rlp: RLP {
        switch self {
        case .bytes(let hex): .bytes(Hex.decode(hex) ?? [])
        case .list(let items): .list(items.map(\.rlp))
        }
    }

    static func json(_ item: RLP) -> Any {
        switch item {
        case .bytes(let bytes): Hex.encode(bytes)
        case .list(let items): items.map(json)
        }
    }
}

/// A transaction field as the script writes it: decimal strings, hex data, an address, or an access list.
enum TransactionField: Decodable {
    struct Access: Decodable { let address: String; let storageKeys: [String] }
    case text(String)
    case accessList([Access])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .text(text) } else { self = .accessList(try container.decode([Access].self)) }
    }

    var text: String? { if case .text(let t) = self { t } else { nil } }
}

extension Transaction {
    struct Malformed: Error {}

    /// The transaction an eth-account dict describes (type 2 when it has maxFeePerGas).
    init(json fields: [String: TransactionField]) throws {
        func number(_ key: String) throws -> BigUInt {
            guard let text = fields[key]?.text, let n = BigUInt(text) else { throw Malformed() }
            return n
        }
        let to = try fields["to"]?.text.map { try EthereumAddress($0) }
        let data = Hex.bytes(fields["data"]?.text ?? "")
        if fields["maxFeePerGas"] != nil {
            var access: [EIP1559.AccessListEntry] = []
            if case .accessList(let entries)? = fields["accessList"] {
                access = try entries.map { .init(address: try EthereumAddress($0.address), storageKeys: $0.storageKeys.map { Hex.bytes(String($0.dropFirst(2))) }) }
            }
            self = .eip1559(EIP1559(
                chainId: try number("chainId"), nonce: try number("nonce"), maxPriorityFeePerGas: try number("maxPriorityFeePerGas"),
                maxFeePerGas: try number("maxFeePerGas"), gasLimit: try number("gas"), to: to, value: try number("value"), data: data, accessList: access))
        } else {
            self = .legacy(Legacy(
                chainId: try number("chainId"), nonce: try number("nonce"), gasPrice: try number("gasPrice"), gasLimit: try number("gas"), to: to,
                value: try number("value"), data: data))
        }
    }
}

/// An ABI value as the script writes it: integers as decimal strings, byte strings as hex,
/// addresses in EIP-55, arrays and tuples as arrays.
indirect enum ABIJSON: Decodable, Equatable {
    case text(String)
    case flag(Bool)
    case list([ABIJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
        else if let text = try? container.decode(String.self) { self = .text(text) }
        else { self = .list(try container.decode([ABIJSON].self)) }
    }

    struct Mismatch: Error {}

    func value(as type: ABIType) throws -> ABIValue {
        switch (type, self) {
        case (.uint, .text(let n)): guard let v = BigUInt(n) else { throw Mismatch() }; return .uint(v)
        case (.int, .text(let n)): guard let v = BigInt(n) else { throw Mismatch() }; return .int(v)
        case (.address, .text(let a)): return .address(try EthereumAddress(a))
        case (.bool, .flag(let b)): return .bool(b)
        case (.fixedBytes, .text(let h)): return .fixedBytes(Hex.bytes(h))
        case (.bytes, .text(let h)): return .bytes(Hex.bytes(h))
        case (.string, .text(let t)): return .string(t)
        case (.array(let element, _), .list(let items)): return .array(try items.map { try $0.value(as: element) })
        case (.tuple(let members), .list(let items)): return .tuple(try zip(members, items).map { try $1.value(as: $0) })
        default: throw Mismatch()
        }
    }

    static func json(_ value: ABIValue) -> Any {
        switch value {
        case .uint(let n): String(n)
        case .int(let n): String(n)
        case .address(let a): a.checksummed
        case .bool(let b): b
        case .fixedBytes(let bytes), .bytes(let bytes): Hex.encode(bytes)
        case .string(let text): text
        case .array(let items), .tuple(let items): items.map(json)
        }
    }
}

extension Hex {
    static func bytes(_ text: String) -> [UInt8] { decode(text) ?? [] }
}
