import Foundation
import Testing
@testable import RakisCore
import RakisTestSupport

@Suite struct ConsensusVersionTests {
    @Test func aRevealStatesItsVersionAndTheReferencesReadsAsVersionOne() throws {
        let reveal = InferenceReveal(
            requestedSynthientId: "s", requestId: "r", inferenceId: "i", output: "o", embedding: [], bEmbedding: [1, 2],
            createdAt: SamplePackets.createdAt)
        let json = try PacketCoding.jsonValue(of: .inferenceReveal(reveal))
        #expect(json["consensusVersion"] == .number(Double(ConsensusVersion.current)))

        let reference = #"""
            {"type":"inferenceReveal","requestedSynthientId":"s","requestId":"r","inferenceId":"i","output":"o",
             "embedding":[0.5],"bEmbedding":[1],"createdAt":"2024-05-01T12:00:00.250+00:00"}
            """#
        guard case .inferenceReveal(let decoded) = try PacketCoding.packet(from: try JSONParser().parse(reference)) else {
            Issue.record("not a reveal"); return
        }
        #expect(decoded.consensusVersion == ConsensusVersion.reference)
    }

    /// The seed is SHA-256 of the requestId's UTF-8, first four bytes big-endian (as Python's
    /// hashlib computes it), so that every implementation samples alike.
    @Test func theDecodingSeedIsTheRequestIdsHash() {
        #expect(ConsensusVersion.decodingSeed(requestId: "9b2f3c2e-4d4e-4f7a-8c1b-0e6f2a7d5b11") == 2_552_024_155)
        #expect(ConsensusVersion.decodingSeed(requestId: "a") != ConsensusVersion.decodingSeed(requestId: "b"))
    }
}
