import Foundation
import RakisCoordination
import RakisCore
import RakisTestSupport
import Testing

/// `maxStoredRequests`: the file keeps the newest ended requests with all that was filed under
/// them; older ones and stale orphan quorums go whole; open requests are never touched.
@Suite final class CoordinationRetentionTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-retention-\(UUID().uuidString)")
    let base = SamplePackets.createdAt

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A request created `minute` minutes after `base`, with a result, an embedding, a commit,
    /// a reveal and a consensus result filed under it.
    private func file(_ requestId: String, minute: Int, in stores: CoordinationStores) async throws {
        var request = SamplePackets.request
        request.requestId = requestId
        request.payload.createdAt = base.addingTimeInterval(Double(minute) * 60)
        let at = request.payload.createdAt
        #expect(try await stores.inferences.saveRequest(request, from: "peer"))
        try await stores.inferences.saveResult(.init(requestId: requestId, inferenceId: "i-\(requestId)", modelName: "m", output: "out", tokenCount: 1,
                                                     tokensPerSecond: 1, failureReason: nil, startedAt: at, completedAt: at))
        try await stores.inferences.saveEmbedding(InferenceEmbedding(requestId: requestId, inferenceId: "i-\(requestId)", embedding: [1, -1], synthientId: "me"))
        let bits = BinaryEmbedding.pack([1, -1])
        let hash = BinaryEmbedding.hash(bits, synthientId: "me")
        try await stores.quorums.addCommit(InferenceCommit(requestId: requestId, inferenceId: "i-\(requestId)", bEmbeddingHash: hash, createdAt: at), from: "me", receivedAt: at)
        _ = try await stores.quorums.addReveal(
            InferenceReveal(requestedSynthientId: "me", requestId: requestId, inferenceId: "i-\(requestId)", output: "out", embedding: [1, -1], bEmbedding: bits, createdAt: at),
            from: "me", receivedAt: at, revealDeadline: nil)
        let member = ConsensusRecord.Member(synthientId: "me", inferenceId: "i-\(requestId)", bEmbeddingHash: hash)
        #expect(try await stores.consensus.save(ConsensusRecord(
            requestId: requestId, failureReason: nil, validInferenceJointHash: "joint", selected: .init(output: "out", synthientId: "me", bEmbeddingHash: hash),
            details: .init(submitted: [member], accepted: [member], valid: [member], rejections: [], distances: [[0]], clusterSizes: [1], neededClusterSize: 1),
            computedAt: at)))
    }

    private func isWhole(_ requestId: String, in stores: CoordinationStores) async throws -> Bool {
        let parts = [
            try await stores.inferences.request(requestId) != nil, try await stores.inferences.hasResult(requestId: requestId),
            try await stores.inferences.embedding(inferenceId: "i-\(requestId)") != nil, try await !stores.quorums.commits(requestId: requestId).isEmpty,
            try await !stores.quorums.reveals(requestId: requestId).isEmpty, try await stores.consensus.result(requestId: requestId) != nil,
        ]
        #expect(parts.allSatisfy { $0 } || !parts.contains(true), "\(requestId) is half pruned: \(parts)")
        return parts.allSatisfy { $0 }
    }

    @Test func theNewestEndedRequestsStayWholeAndTheOldestGoWhole() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stores = try CoordinationStores(directory: directory)
        for minute in 0..<5 { try await file("ended-\(minute)", minute: minute, in: stores) }
        try await file("open", minute: 120, in: stores)
        // A commit for a request this node never received opens a quorum of its own.
        try await stores.quorums.addCommit(InferenceCommit(requestId: "never-received", inferenceId: "x", bEmbeddingHash: "h", createdAt: base), from: "peer", receivedAt: base)
        let now = base.addingTimeInterval(119 * 60)

        #expect(try await stores.retention.prune(keepingEnded: 2, now: now) == 3)
        for minute in 0..<3 { #expect(try await !isWhole("ended-\(minute)", in: stores)) }
        for minute in 3..<5 { #expect(try await isWhole("ended-\(minute)", in: stores)) }
        #expect(try await isWhole("open", in: stores), "a request still open is kept whatever the limit")
        #expect(try await stores.quorums.status(requestId: "never-received") == nil, "an orphan quorum goes an hour after its last change")
        #expect(try await stores.retention.prune(keepingEnded: 2, now: now) == 0, "nothing more to prune")
        #expect(try await stores.inferences.requestCount() == 3)
    }

    @Test func commitsForInventedRequestsKeepOnlyTheNewestOrphanQuorums() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stores = try CoordinationStores(directory: directory)
        try await file("real", minute: 0, in: stores)
        for n in 0..<250 {
            let at = base.addingTimeInterval(Double(n))
            try await stores.quorums.addCommit(
                InferenceCommit(requestId: "invented-\(n)", inferenceId: "i-\(n)", bEmbeddingHash: String(repeating: "0f", count: 32), createdAt: at),
                from: "flooder", receivedAt: at, keepingOrphans: 100)
        }
        // Checked every tenth of the cap: never more than the cap and a tenth.
        var orphans = 0
        for n in 0..<250 where try await stores.quorums.isKnown("invented-\(n)") { orphans += 1 }
        #expect(orphans >= 100 && orphans <= 110, "orphan quorums kept: \(orphans)")
        #expect(try await stores.quorums.isKnown("invented-249"), "the newest stay")
        #expect(try await !stores.quorums.isKnown("invented-0"), "the oldest go")
        #expect(try await isWhole("real", in: stores), "a received request is never an orphan")
    }
}
