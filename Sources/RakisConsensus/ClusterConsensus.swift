public import Foundation
public import RakisCore
import Crypto

/// Embedding-cluster consensus as pure functions: the same reveals give every honest node the
/// same report, whatever order they arrived in.
public enum ClusterConsensus {
    public static func compute(_ parameters: ConsensusParameters, reveals: [RevealedInference]) -> ConsensusReport {
        // One canonical order for everything that follows.
        let submitted = reveals.sorted { ($0.committedHash, $0.inferenceId, $0.synthientId) < ($1.committedHash, $1.inferenceId, $1.synthientId) }
        var accepted: [RevealedInference] = []
        var rejections: [RevealRejection] = []
        for reveal in submitted {
            if let reason = rejectionReason(reveal, threshold: parameters.bEmbeddingThreshold) {
                rejections.append(RevealRejection(synthientId: reveal.synthientId, inferenceId: reveal.inferenceId, reason: reason))
            } else {
                accepted.append(reveal)
            }
        }
        let distances = pairwiseHammingDistances(accepted.map(\.bEmbedding))
        let clusterSizes = distances.map { row in row.filter { Double($0) <= parameters.secDistance }.count }
        let needed = neededClusterSize(secPercentage: parameters.secPercentage, members: accepted.count)
        var report = ConsensusReport(
            requestId: parameters.requestId, submitted: submitted, rejections: rejections, distances: distances,
            accepted: accepted, clusterSizes: clusterSizes, neededClusterSize: needed,
            outcome: .failure(.notEnoughValidReveals(valid: accepted.count, quorum: parameters.quorum)))
        guard accepted.count >= max(1, parameters.quorum) else { return report }
        // The largest cluster; among equals, the one centred earliest in the canonical order.
        guard let center = clusterSizes.indices.max(by: { (clusterSizes[$0], -$0) < (clusterSizes[$1], -$1) }),
              clusterSizes[center] >= needed
        else {
            report.outcome = .failure(.noClusterLargeEnough(largest: clusterSizes.max() ?? 0, needed: needed))
            return report
        }
        let members = accepted.indices.filter { Double(distances[center][$0]) <= parameters.secDistance }.map { accepted[$0] }
        let jointHash = jointHash(requestId: parameters.requestId, members: members)
        let selected = members[selectionIndex(jointHash: jointHash, count: members.count)]
        report.outcome = .success(ConsensusSelection(validInferences: members, validInferenceJointHash: jointHash, selected: selected))
        return report
    }

    /// Every pairwise Hamming distance, `Int.max` between embeddings of different lengths. The
    /// bits are read as 64-bit words so that a pair costs a few popcounts; the matrix is symmetric,
    /// so each pair is counted once.
    static func pairwiseHammingDistances(_ embeddings: [[UInt8]]) -> [[Int]] {
        let words = embeddings.map(packedWords)
        var distances = [[Int]](repeating: [Int](repeating: 0, count: embeddings.count), count: embeddings.count)
        for i in embeddings.indices {
            for j in embeddings.indices where j > i {
                var distance = Int.max
                if embeddings[i].count == embeddings[j].count {
                    distance = 0
                    for (a, b) in zip(words[i], words[j]) { distance += (a ^ b).nonzeroBitCount }
                }
                distances[i][j] = distance
                distances[j][i] = distance
            }
        }
        return distances
    }

    private static func packedWords(_ bytes: [UInt8]) -> [UInt64] {
        stride(from: 0, to: bytes.count, by: 8).map { start in
            bytes[start..<min(start + 8, bytes.count)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
    }

    static func rejectionReason(_ reveal: RevealedInference, threshold: Int) -> RevealRejectionReason? {
        guard BinaryEmbedding.hash(reveal.bEmbedding, synthientId: reveal.synthientId) == reveal.committedHash else { return .hashMismatch }
        guard let recomputed = reveal.recomputedBEmbedding else { return nil }
        guard let distance = BinaryEmbedding.hammingDistance(recomputed, reveal.bEmbedding) else {
            return .embeddingLengthMismatch(revealed: reveal.bEmbedding.count, recomputed: recomputed.count)
        }
        return distance > threshold ? .embeddingMismatch(distance: distance, threshold: threshold) : nil
    }

    /// `ceil(secPercentage × members)`, at least 1; computed in integers of parts per million
    /// so that 0.3 × 10 is 3 on every machine.
    public static func neededClusterSize(secPercentage: Double, members: Int) -> Int {
        let partsPerMillion = Int((min(max(secPercentage, 0), 1) * 1_000_000).rounded())
        return max(1, (partsPerMillion * members + 999_999) / 1_000_000)
    }

    /// Hex SHA-256 of the requestId followed by each member's `bEmbeddingHash + inferenceId`.
    public static func jointHash(requestId: String, members: [RevealedInference]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(requestId.utf8))
        for member in members { hasher.update(data: Array((member.committedHash + member.inferenceId).utf8)) }
        return Hex.encode(hasher.finalize())
    }

    /// The member number `int(first 16 hex digits of the joint hash) mod count`.
    public static func selectionIndex(jointHash: String, count: Int) -> Int {
        let value = UInt64(jointHash.prefix(16), radix: 16) ?? 0
        return Int(value % UInt64(max(1, count)))
    }
}

extension ConsensusReport {
    /// The `inferenceQuorumComputed` packet for a successful consensus, signed later by the node.
    public func quorumComputedPacket(verifiedBy: String, createdAt: Date) -> InferenceQuorumComputed? {
        guard case .success(let selection) = outcome else { return nil }
        return InferenceQuorumComputed(
            requestId: requestId, verifiedBy: verifiedBy,
            submittedInferences: submitted.map { .init(inferenceId: $0.inferenceId) },
            validInferences: selection.validInferences.map { .init(inferenceId: $0.inferenceId) },
            validInferenceJointHash: selection.validInferenceJointHash,
            validSingleInference: .init(
                output: selection.selected.output, fromSynthientId: selection.selected.synthientId,
                bEmbeddingHash: selection.selected.committedHash),
            createdAt: createdAt)
    }
}
