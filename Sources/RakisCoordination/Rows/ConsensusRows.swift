import Foundation
import GRDB
import RakisCore

/// A row of `consensusResult`: this node's consensus on one request, the debug data as JSON.
struct ConsensusResultRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "consensusResult"
    var requestId: String
    var succeeded: Bool
    var reason: String?
    var validInferenceJointHash: String?
    var selectedOutput: String?
    var selectedSynthientId: String?
    var selectedBEmbeddingHash: String?
    var details: String
    var computedAt: Double

    init(_ record: ConsensusRecord) throws {
        requestId = record.requestId
        succeeded = record.succeeded
        reason = record.failureReason
        validInferenceJointHash = record.validInferenceJointHash
        selectedOutput = record.selected?.output
        selectedSynthientId = record.selected?.synthientId
        selectedBEmbeddingHash = record.selected?.bEmbeddingHash
        details = String(decoding: try JSONEncoder().encode(record.details), as: UTF8.self)
        computedAt = record.computedAt.timeIntervalSince1970
    }

    func record() throws -> ConsensusRecord {
        let selected: ConsensusRecord.Selected? = selectedOutput.map {
            .init(output: $0, synthientId: selectedSynthientId ?? "", bEmbeddingHash: selectedBEmbeddingHash ?? "")
        }
        return ConsensusRecord(
            requestId: requestId, failureReason: reason, validInferenceJointHash: validInferenceJointHash, selected: selected,
            details: try JSONDecoder().decode(ConsensusRecord.Details.self, from: Data(details.utf8)),
            computedAt: Date(timeIntervalSince1970: computedAt))
    }
}

/// A row of `peerConsensusResult`: another node's `inferenceQuorumComputed`, one per request and
/// verifying node.
struct PeerConsensusResultRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "peerConsensusResult"
    var requestId: String
    var verifiedBy: String
    var validInferenceJointHash: String
    var selectedOutput: String
    var selectedSynthientId: String
    var packet: String
    var receivedAt: Double

    enum Columns {
        static let requestId = Column(CodingKeys.requestId)
        static let verifiedBy = Column(CodingKeys.verifiedBy)
    }

    init(_ packet: InferenceQuorumComputed, receivedAt: Date) throws {
        requestId = packet.requestId
        verifiedBy = packet.verifiedBy
        validInferenceJointHash = packet.validInferenceJointHash
        selectedOutput = packet.validSingleInference.output
        selectedSynthientId = packet.validSingleInference.fromSynthientId
        self.packet = String(decoding: try JSONEncoder().encode(packet), as: UTF8.self)
        self.receivedAt = receivedAt.timeIntervalSince1970
    }

    var record: PeerConsensusRecord {
        PeerConsensusRecord(
            requestId: requestId, verifiedBy: verifiedBy, validInferenceJointHash: validInferenceJointHash, selectedOutput: selectedOutput,
            selectedSynthientId: selectedSynthientId, receivedAt: Date(timeIntervalSince1970: receivedAt))
    }
}
