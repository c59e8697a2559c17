import Foundation
public import RakisCoordination
public import RakisCore

/// Per node: the quorum it saw, its consensus result and the results other nodes announced.
public struct DevnetReport: Sendable {
    public struct Node: Sendable {
        public let index: Int
        public let synthientId: String
        public let status: QuorumStatus?
        public let statusReason: String?
        public let quorum: [QuorumStore.Commit]
        public let reveals: [QuorumStore.Reveal]
        public let consensus: ConsensusRecord?
        public let peerResults: [PeerConsensusRecord]
        public let ownResult: InferenceStore.StoredResult?

        init(index: Int, synthientId: String, stores: CoordinationStores, requestId: String) async throws {
            self.index = index
            self.synthientId = synthientId
            let history = try await stores.history(requestId: requestId)
            status = history?.quorum?.status
            statusReason = history?.quorum?.statusReason
            quorum = history?.commits ?? []
            reveals = history?.reveals ?? []
            consensus = history?.consensus
            peerResults = history?.peerResults ?? []
            ownResult = history?.results.first
        }
    }

    public let requestId: String
    public let nodes: [Node]

    /// True when every node completed with the same joint hash and selected output.
    public var agreed: Bool {
        guard let first = nodes.first?.consensus, first.succeeded else { return false }
        return nodes.allSatisfy {
            $0.status == .completed && $0.consensus?.validInferenceJointHash == first.validInferenceJointHash
                && $0.consensus?.selected == first.selected
        }
    }

    public var json: [String: JSONValue] {
        ["requestId": .string(requestId), "agreed": .bool(agreed), "nodes": .array(nodes.map(\.json))]
    }
}

extension DevnetReport.Node {
    var json: JSONValue {
        var object: [String: JSONValue] = [
            "node": .number(Double(index + 1)),
            "synthientId": .string(synthientId),
            "status": status.map { .string($0.rawValue) } ?? .null,
            "quorum": .array(quorum.map { .object([
                "synthientId": .string($0.synthientId), "inferenceId": .string($0.inferenceId), "bEmbeddingHash": .string($0.bEmbeddingHash),
            ]) }),
            "reveals": .array(reveals.map { reveal in
                var entry: [String: JSONValue] = ["synthientId": .string(reveal.synthientId), "inferenceId": .string(reveal.inferenceId)]
                entry["rejectReason"] = reveal.rejectReason.map(JSONValue.string) ?? .null
                return .object(entry)
            }),
            "peerResults": .array(peerResults.map { .object([
                "verifiedBy": .string($0.verifiedBy), "validInferenceJointHash": .string($0.validInferenceJointHash),
            ]) }),
        ]
        object["statusReason"] = statusReason.map(JSONValue.string) ?? .null
        object["output"] = ownResult?.output.map(JSONValue.string) ?? .null
        if let consensus {
            object["consensus"] = .object([
                "succeeded": .bool(consensus.succeeded),
                "failureReason": consensus.failureReason.map(JSONValue.string) ?? .null,
                "validInferences": .array(consensus.details.valid.map { .string($0.inferenceId) }),
                "rejections": .array(consensus.details.rejections.map { .object([
                    "synthientId": .string($0.synthientId), "inferenceId": .string($0.inferenceId), "reason": .string($0.reason),
                ]) }),
                "distances": .array(consensus.details.distances.map { .array($0.map { .number(Double($0)) }) }),
                "neededClusterSize": .number(Double(consensus.details.neededClusterSize)),
                "validInferenceJointHash": consensus.validInferenceJointHash.map(JSONValue.string) ?? .null,
                "selected": consensus.selected.map { .object([
                    "output": .string($0.output), "fromSynthientId": .string($0.synthientId), "bEmbeddingHash": .string($0.bEmbeddingHash),
                ]) } ?? .null,
            ])
        } else {
            object["consensus"] = .null
        }
        return .object(object)
    }
}
