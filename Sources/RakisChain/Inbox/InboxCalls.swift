public import BigInt
import Foundation
public import RakisCore
public import RakisEthereum

/// Calldata for the inbox's functions, and what its views answer.
public enum InboxCalls {
    public static func fulfilled(id: BigUInt) -> [UInt8] {
        ABI.selector("fulfilled(uint256)") + ((try? ABI.encode([.uint(id)], as: [.uint(bits: 256)])) ?? [])
    }

    public static func threshold(id: BigUInt) -> [UInt8] {
        ABI.selector("threshold(uint256)") + ((try? ABI.encode([.uint(id)], as: [.uint(bits: 256)])) ?? [])
    }

    /// The types of `requestInference`'s arguments, in order.
    public static let requestInferenceTypes: [ABIType] = [
        .string, .array(.string, length: nil), .uint(bits: 16), .uint(bits: 32), .uint(bits: 16), .uint(bits: 16), .string, .uint(bits: 16), .uint(bits: 16),
    ]

    /// `requestInference(prompt, acceptedModels, quorum, maxTimeMs, secDistance, secPercentageBps,
    /// embeddingModel, maxTokens, temperatureMilli)` with `values` of `requestInferenceTypes`.
    public static func requestInference(_ values: [ABIValue]) throws -> [UInt8] {
        let signature = "requestInference(" + requestInferenceTypes.map(\.description).joined(separator: ",") + ")"
        return ABI.selector(signature) + (try ABI.encode(values, as: requestInferenceTypes))
    }

    /// `fulfill(id, output, jointHash, signatures)` with the attestations' signatures ordered by
    /// signer address, as the inbox requires; throws when one is malformed.
    public static func fulfill(id: BigUInt, output: String, validInferenceJointHash: [UInt8], attestations: [ChainAttestation]) throws(InboxAttestationError) -> [UInt8] {
        var signed: [(address: [UInt8], signature: ABIValue)] = []
        for attestation in attestations {
            guard let address = try? EthereumAddress(attestation.address), let signature = signatureValue(attestation.signature) else {
                throw .malformed("an attestation's address or signature")
            }
            signed.append((address.bytes, signature))
        }
        signed.sort { $0.address.lexicographicallyPrecedes($1.address) }
        let types: [ABIType] = [.uint(bits: 256), .string, .fixedBytes(32), .array(.tuple([.uint(bits: 8), .fixedBytes(32), .fixedBytes(32)]), length: nil)]
        let encoded: [UInt8]
        do {
            encoded = try ABI.encode([.uint(id), .string(output), .fixedBytes(validInferenceJointHash), .array(signed.map(\.signature))], as: types)
        } catch { throw .malformed("cannot encode fulfill: \(error)") }
        return ABI.selector("fulfill(uint256,string,bytes32,(uint8,bytes32,bytes32)[])") + encoded
    }

    /// `slash(first, second)`: two attestations by one wallet for one request over different
    /// answers; throws when one is malformed.
    public static func slash(_ first: ChainAttestation, _ second: ChainAttestation) throws(InboxAttestationError) -> [UInt8] {
        let signature: ABIType = .tuple([.uint(bits: 8), .fixedBytes(32), .fixedBytes(32)])
        let attestation: ABIType = .tuple([.uint(bits: 256), .fixedBytes(32), .fixedBytes(32), signature])
        func value(_ attestation: ChainAttestation) throws(InboxAttestationError) -> ABIValue {
            guard let (_, _, id) = InboxAttestation.parse(requestId: attestation.requestId),
                  let output = InboxAttestation.bytes32(attestation.outputHash), let joint = InboxAttestation.bytes32(attestation.validInferenceJointHash),
                  let signature = signatureValue(attestation.signature) else {
                throw .malformed("an attestation's request id, hashes or signature")
            }
            return .tuple([.uint(id), .fixedBytes(output), .fixedBytes(joint), signature])
        }
        let encoded: [UInt8]
        do { encoded = try ABI.encode([try value(first), try value(second)], as: [attestation, attestation]) } catch {
            throw .malformed("cannot encode slash: \(error)")
        }
        return ABI.selector("slash((uint256,bytes32,bytes32,(uint8,bytes32,bytes32)),(uint256,bytes32,bytes32,(uint8,bytes32,bytes32)))") + encoded
    }

    /// A `0x` 65-byte signature (r, s, v) as the inbox's `Signature` tuple (v, r, s).
    private static func signatureValue(_ text: String) -> ABIValue? {
        guard text.hasPrefix("0x"), let bytes = Hex.decode(String(text.dropFirst(2))), bytes.count == 65 else { return nil }
        return .tuple([.uint(BigUInt(bytes[64])), .fixedBytes(Array(bytes[0..<32])), .fixedBytes(Array(bytes[32..<64]))])
    }

    /// A `bool` or `uint256` word answered by a view.
    public static func word(_ data: [UInt8]) -> BigUInt? {
        data.count == 32 ? BigUInt(Data(data)) : nil
    }
}
