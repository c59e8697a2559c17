import Foundation
@testable import RakisConsensus
import RakisCore
import Testing

/// Every branch of the cluster consensus, on hand-made 16-bit embeddings.
@Suite struct ClusterConsensusTests {
    /// A reveal whose commit matches, with `bits` set in a 16-bit embedding.
    private func reveal(_ name: String, bits: [Int], recomputed: [Int]? = nil, committed: String? = nil) -> RevealedInference {
        let embedding = pack(bits)
        return RevealedInference(
            synthientId: "node-\(name)", inferenceId: "inference-\(name)",
            committedHash: committed ?? BinaryEmbedding.hash(embedding, synthientId: "node-\(name)"),
            output: "output \(name)", bEmbedding: embedding, recomputedBEmbedding: recomputed.map(pack) ?? embedding)
    }

    private func pack(_ bits: [Int]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 2)
        for bit in bits { bytes[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        return bytes
    }

    private func parameters(quorum: Int = 3, secDistance: Double = 2, secPercentage: Double = 0.5, threshold: Int = 0) -> ConsensusParameters {
        ConsensusParameters(requestId: "request-1", quorum: quorum, secDistance: secDistance, secPercentage: secPercentage, bEmbeddingThreshold: threshold)
    }

    @Test func theLargestClusterWinsAndEveryOrderGivesTheSameSelection() throws {
        let reveals = [
            reveal("a", bits: [0, 1, 2]), reveal("b", bits: [0, 1, 2, 3]), reveal("c", bits: [0, 1]),
            reveal("far", bits: [10, 11, 12, 13, 14, 15]),
        ]
        let report = ClusterConsensus.compute(parameters(), reveals: reveals)
        let selection = try report.outcome.get()
        #expect(Set(selection.validInferences.map(\.synthientId)) == ["node-a", "node-b", "node-c"])
        #expect(report.neededClusterSize == 2)
        for permutation in [reveals.reversed(), [reveals[2], reveals[0], reveals[3], reveals[1]]] {
            let again = try ClusterConsensus.compute(parameters(), reveals: Array(permutation)).outcome.get()
            #expect(again == selection)
        }
        let expectedHash = ClusterConsensus.jointHash(requestId: "request-1", members: selection.validInferences)
        #expect(selection.validInferenceJointHash == expectedHash)
        #expect(selection.selected == selection.validInferences[ClusterConsensus.selectionIndex(jointHash: expectedHash, count: 3)])
        let packet = try #require(report.quorumComputedPacket(verifiedBy: "me", createdAt: Date(timeIntervalSince1970: 0)))
        #expect(packet.submittedInferences.count == 4)
        #expect(packet.validInferences.count == 3)
        #expect(packet.validSingleInference.output == selection.selected.output)
    }

    @Test func aDistanceOfExactlySecDistanceIsInsideTheCluster() throws {
        let reveals = [reveal("a", bits: []), reveal("b", bits: [0, 1])]
        let inside = ClusterConsensus.compute(parameters(quorum: 2, secDistance: 2, secPercentage: 1), reveals: reveals)
        #expect(try inside.outcome.get().validInferences.count == 2)
        let outside = ClusterConsensus.compute(parameters(quorum: 2, secDistance: 1.99, secPercentage: 1), reveals: reveals)
        #expect(outside.outcome == .failure(.noClusterLargeEnough(largest: 1, needed: 2)))
    }

    @Test func rejectedRevealsCanLeaveTooFewForTheQuorum() {
        let reveals = [
            reveal("honest", bits: [1]),
            reveal("lied", bits: [1], recomputed: [1, 2]),           // output does not embed to the revealed bits
            reveal("copied", bits: [1], committed: BinaryEmbedding.hash(pack([1]), synthientId: "node-honest")),
        ]
        let report = ClusterConsensus.compute(parameters(quorum: 2), reveals: reveals)
        #expect(report.rejections.map(\.synthientId).sorted() == ["node-copied", "node-lied"])
        #expect(report.rejections.contains { $0.reason == .embeddingMismatch(distance: 1, threshold: 0) })
        #expect(report.rejections.contains { $0.reason == .hashMismatch })
        #expect(report.outcome == .failure(.notEnoughValidReveals(valid: 1, quorum: 2)))
        #expect(report.quorumComputedPacket(verifiedBy: "me", createdAt: Date()) == nil)
        let lenient = ClusterConsensus.compute(parameters(quorum: 2, threshold: 1), reveals: reveals)
        #expect(lenient.rejections.map(\.synthientId) == ["node-copied"], "a threshold of 1 bit lets the 1-bit difference through")
        #expect((try? lenient.outcome.get().validInferences.count) == 2)
    }

    @Test func noClusterLargeEnoughFails() {
        let reveals = [reveal("a", bits: []), reveal("b", bits: [0, 1, 2, 3]), reveal("c", bits: [8, 9, 10, 11])]
        let report = ClusterConsensus.compute(parameters(secDistance: 2, secPercentage: 0.6), reveals: reveals)
        #expect(report.neededClusterSize == 2)
        #expect(report.clusterSizes == [1, 1, 1])
        #expect(report.outcome == .failure(.noClusterLargeEnough(largest: 1, needed: 2)))
    }

    @Test func tiesGoToTheClusterCentredFirstInCanonicalOrder() throws {
        let reveals = [reveal("a", bits: [0]), reveal("b", bits: [0, 1]), reveal("c", bits: [8]), reveal("d", bits: [8, 9])]
        let report = ClusterConsensus.compute(parameters(quorum: 2, secDistance: 1, secPercentage: 0.5), reveals: reveals)
        let winners = try report.outcome.get().validInferences
        #expect(winners.count == 2)
        let firstCentre = report.accepted[0]
        #expect(winners.contains(firstCentre))
        let shuffled = try ClusterConsensus.compute(parameters(quorum: 2, secDistance: 1, secPercentage: 0.5), reveals: reveals.reversed()).outcome.get()
        #expect(shuffled.validInferences == winners)
    }

    @Test func aSingleMemberQuorumSelectsItself() throws {
        let only = reveal("solo", bits: [3])
        let selection = try ClusterConsensus.compute(parameters(quorum: 1, secPercentage: 1), reveals: [only]).outcome.get()
        #expect(selection.validInferences == [only])
        #expect(selection.selected == only)
    }

    @Test func ownRevealIsNotRecomputedAndEmptyInputFails() {
        var own = reveal("me", bits: [1])
        own.recomputedBEmbedding = nil
        #expect(ClusterConsensus.compute(parameters(quorum: 1), reveals: [own]).rejections.isEmpty)
        #expect(ClusterConsensus.compute(parameters(quorum: 0), reveals: []).outcome == .failure(.notEnoughValidReveals(valid: 0, quorum: 0)))
    }

    @Test func neededClusterSizeIsAnExactCeiling() {
        #expect(ClusterConsensus.neededClusterSize(secPercentage: 0.3, members: 10) == 3)
        #expect(ClusterConsensus.neededClusterSize(secPercentage: 0.31, members: 10) == 4)
        #expect(ClusterConsensus.neededClusterSize(secPercentage: 0.5, members: 3) == 2)
        #expect(ClusterConsensus.neededClusterSize(secPercentage: 1, members: 7) == 7)
        #expect(ClusterConsensus.neededClusterSize(secPercentage: 0, members: 7) == 1)
    }

    @Test func selectionIndexReadsTheFirstSixteenHexDigits() {
        #expect(ClusterConsensus.selectionIndex(jointHash: "000000000000000a" + String(repeating: "f", count: 48), count: 4) == 2)
        #expect(ClusterConsensus.selectionIndex(jointHash: "ffffffffffffffff" + String(repeating: "0", count: 48), count: 10) == Int(UInt64.max % 10))
    }

    @Test func wordWiseDistancesMatchBytewiseOnesForEveryLength() {
        var random = SeededRandom(seed: 7)
        for length in [0, 1, 7, 8, 9, 48, 50] {
            let embeddings = (0..<5).map { _ in (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
            let longer = [UInt8](repeating: 0xFF, count: length + 1)
            let distances = ClusterConsensus.pairwiseHammingDistances(embeddings + [longer])
            for i in embeddings.indices {
                for j in embeddings.indices { #expect(distances[i][j] == BinaryEmbedding.hammingDistance(embeddings[i], embeddings[j])) }
                #expect(distances[i][embeddings.count] == Int.max, "embeddings of different lengths are infinitely far apart")
                #expect(distances[embeddings.count][i] == Int.max)
            }
        }
    }
}
