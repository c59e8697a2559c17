import BigInt
public import RakisEthereum
import RakisCore

/// The events of `contracts/RakisInbox.vy` that the node reads, as ABI descriptions.
public enum InboxEvents {
    public static let inferenceRequested = ABIEvent(name: "InferenceRequested", parameters: [
        .init("requestId", .uint(bits: 256), indexed: true), .init("requester", .address, indexed: true), .init("reward", .uint(bits: 256)),
        .init("prompt", .string), .init("acceptedModels", .array(.string, length: nil)), .init("quorum", .uint(bits: 16)),
        .init("maxTimeMs", .uint(bits: 32)), .init("secDistance", .uint(bits: 16)), .init("secPercentageBps", .uint(bits: 16)),
        .init("embeddingModel", .string), .init("maxTokens", .uint(bits: 16)), .init("temperatureMilli", .uint(bits: 16)),
    ])

    public static let inferenceFulfilled = ABIEvent(name: "InferenceFulfilled", parameters: [
        .init("requestId", .uint(bits: 256), indexed: true), .init("reporter", .address, indexed: true), .init("outputHash", .fixedBytes(32)),
        .init("validInferenceJointHash", .fixedBytes(32)), .init("signers", .uint(bits: 256)), .init("output", .string),
    ])

    /// The request an `InferenceRequested` log describes, with its block's time; throws what is
    /// wrong with a log that does not decode as one.
    public static func request(from log: EthereumLog, chainId: UInt64, blockTime: UInt64) throws(InboxLogError) -> ChainInferenceRequest {
        guard log.topics.first == inferenceRequested.topic else { throw .notARequest }
        let values: [ABIValue]
        do { values = try inferenceRequested.decode(topics: log.topics, data: log.data) } catch { throw .undecodable("\(error)") }
        guard values.count == 12, case .uint(let id) = values[0], case .address(let requester) = values[1], case .uint(let reward) = values[2],
              case .string(let prompt) = values[3], case .array(let models) = values[4], case .string(let embeddingModel) = values[9]
        else { throw .undecodable("unexpected field types") }
        func small(_ index: Int) throws(InboxLogError) -> Int {
            guard case .uint(let value) = values[index], value <= BigUInt(UInt32.max) else { throw .undecodable("field \(index) out of range") }
            return Int(value)
        }
        var acceptedModels: [String] = []
        for model in models {
            guard case .string(let name) = model else { throw .undecodable("a model name is not a string") }
            acceptedModels.append(name)
        }
        return ChainInferenceRequest(
            chainId: chainId, inbox: log.address, id: id, requester: requester, reward: reward, prompt: prompt, acceptedModels: acceptedModels,
            quorum: try small(5), maxTimeMs: try small(6), secDistance: try small(7), secPercentageBps: try small(8), embeddingModel: embeddingModel,
            maxTokens: try small(10), temperatureMilli: try small(11), blockNumber: log.blockNumber, blockHash: log.blockHash, blockTime: blockTime,
            transactionHash: log.transactionHash, logIndex: log.logIndex)
    }
}

extension InboxEvents {
    /// The fulfilment an `InferenceFulfilled` log records.
    public static func fulfilment(from log: EthereumLog, chainId: UInt64) throws(InboxLogError) -> ChainFulfilment {
        try fulfilmentAndOutput(from: log, chainId: chainId).fulfilment
    }

    /// The fulfilment an `InferenceFulfilled` log records, with the output the inbox stored.
    public static func fulfilmentAndOutput(from log: EthereumLog, chainId: UInt64) throws(InboxLogError) -> (fulfilment: ChainFulfilment, output: String) {
        guard log.topics.first == inferenceFulfilled.topic else { throw .notARequest }
        let values: [ABIValue]
        do { values = try inferenceFulfilled.decode(topics: log.topics, data: log.data) } catch { throw .undecodable("\(error)") }
        guard values.count == 6, case .uint(let id) = values[0], case .address(let reporter) = values[1], case .fixedBytes(let output) = values[2],
              case .fixedBytes(let joint) = values[3], case .uint(let signers) = values[4], signers <= 1000, case .string(let text) = values[5]
        else { throw .undecodable("unexpected InferenceFulfilled fields") }
        let fulfilment = ChainFulfilment(
            requestId: "evm:\(chainId):\(log.address.checksummed.lowercased()):\(id)", reporter: reporter.checksummed,
            outputHash: "0x" + Hex.encode(output), validInferenceJointHash: "0x" + Hex.encode(joint), signers: Int(signers),
            blockNumber: log.blockNumber, transactionHash: "0x" + Hex.encode(log.transactionHash))
        return (fulfilment, text)
    }
}

public enum InboxLogError: Error, Equatable, Sendable, CustomStringConvertible {
    case notARequest
    case undecodable(String)

    public var description: String {
        switch self {
        case .notARequest: "the log is not an InferenceRequested event"
        case .undecodable(let reason): "an InferenceRequested log that does not decode: \(reason)"
        }
    }
}
