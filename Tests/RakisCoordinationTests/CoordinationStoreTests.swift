import Foundation
import RakisCoordination
import RakisCore
import RakisTestSupport
import Testing

/// The coordination stores on a real SQLite file, reopened where persistence matters.
@Suite final class CoordinationStoreTests {
    let directory: URL
    let request = SamplePackets.request
    let now = SamplePackets.createdAt.addingTimeInterval(5)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-coordination-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    private func commit(_ node: String, bits: [UInt8], inference: String? = nil) -> InferenceCommit {
        InferenceCommit(requestId: request.requestId, inferenceId: inference ?? "inf-\(node)",
                        bEmbeddingHash: BinaryEmbedding.hash(bits, synthientId: node), createdAt: now)
    }

    private func reveal(_ node: String, bits: [UInt8], inference: String? = nil, requestedBy: String? = nil) -> InferenceReveal {
        InferenceReveal(requestedSynthientId: requestedBy ?? node, requestId: request.requestId, inferenceId: inference ?? "inf-\(node)",
                        output: "output of \(node)", embedding: [0.5, -0.5], bEmbedding: bits, createdAt: now)
    }

    @Test func requestsResultsAndEmbeddingsSurviveReopening() async throws {
        do {
            let store = InferenceStore(database: try CoordinationDatabase(directory: directory))
            #expect(try await store.saveRequest(request, from: "peer"))
            #expect(try await !store.saveRequest(request, from: "peer"), "a request is stored once")
            try await store.saveResult(.init(requestId: request.requestId, inferenceId: "i1", modelName: "m", output: "hello", tokenCount: 3,
                                       tokensPerSecond: 40, failureReason: nil, startedAt: now, completedAt: now))
            try await store.saveEmbedding(InferenceEmbedding(requestId: request.requestId, inferenceId: "i1", embedding: [0.25, -1, 3], synthientId: "me"))
        }
        let store = InferenceStore(database: try CoordinationDatabase(directory: directory))
        let stored = try #require(try await store.request(request.requestId))
        #expect(stored.payload == request.payload)
        #expect(stored.endingAt == request.payload.endingAt)
        #expect(try await store.activeRequests(at: now).map(\.requestId) == [request.requestId])
        #expect(try await store.activeRequests(at: request.payload.endingAt).isEmpty, "a request is active only while now < endingAt")
        #expect(try await store.hasResult(requestId: request.requestId))
        #expect(try await store.results(requestId: request.requestId).first?.output == "hello")
        let embedding = try #require(try await store.embedding(inferenceId: "i1"))
        #expect(embedding.embedding == [0.25, -1, 3])
        #expect(embedding.bEmbedding == BinaryEmbedding.pack([0.25, -1, 3]))
        #expect(embedding.bEmbeddingHash == BinaryEmbedding.hash(embedding.bEmbedding, synthientId: "me"))
    }

    /// A node that signs two different commits, or two different reveals that both fit its
    /// commit, for one request is an equivocator: both are refused, and so is everything it sends
    /// for that request afterwards. Other requests and other nodes are not touched.
    @Test func equivocationRefusesBothPacketsAndEverythingAfter() async throws {
        let store = QuorumStore(database: try CoordinationDatabase(directory: directory))
        let deadline = request.payload.endingAt.addingTimeInterval(35)
        let arrival = request.payload.endingAt.addingTimeInterval(1)
        try await store.addCommit(commit("honest", bits: [1, 2]), from: "honest", receivedAt: now)
        try await store.addCommit(commit("twofaced", bits: [3, 4]), from: "twofaced", receivedAt: now)
        #expect(try await store.addCommit(commit("twofaced", bits: [9, 9]), from: "twofaced", receivedAt: now) == .equivocation)
        #expect(try await store.equivocators(requestId: request.requestId) == ["twofaced"])
        #expect(try await store.commits(requestId: request.requestId).map(\.synthientId) == ["honest"], "both commits withdrawn")
        #expect(try await store.addCommit(commit("twofaced", bits: [3, 4]), from: "twofaced", receivedAt: now) == .ignored, "and no third one filed")
        #expect(try await store.addReveal(reveal("twofaced", bits: [3, 4]), from: "twofaced", receivedAt: arrival, revealDeadline: deadline)
                == .rejected(.equivocation))

        // Two different reveals for one commit: the first, accepted, is refused with the second.
        try await store.addCommit(commit("splitter", bits: [5, 6]), from: "splitter", receivedAt: now)
        #expect(try await store.addReveal(reveal("splitter", bits: [5, 6]), from: "splitter", receivedAt: arrival, revealDeadline: deadline) == .accepted)
        var changed = reveal("splitter", bits: [5, 6])
        changed.output = "another output with the same bits"
        #expect(try await store.addReveal(changed, from: "splitter", receivedAt: arrival, revealDeadline: deadline) == .equivocation)
        #expect(try await store.addReveal(changed, from: "splitter", receivedAt: arrival, revealDeadline: deadline) == .rejected(.equivocation))
        #expect(try await store.equivocators(requestId: request.requestId) == ["splitter", "twofaced"])
        #expect(try await store.reveals(requestId: request.requestId, acceptedOnly: true).isEmpty)
        #expect(try await store.reveals(requestId: request.requestId).allSatisfy { $0.rejectReason?.contains("equivocation") == true })
        #expect(try await store.addReveal(reveal("honest", bits: [1, 2]), from: "honest", receivedAt: arrival, revealDeadline: deadline) == .accepted)
    }

    @Test func revealsAreCheckedOnArrivalAndKeptWithTheirReason() async throws {
        let store = QuorumStore(database: try CoordinationDatabase(directory: directory))
        let deadline = request.payload.endingAt.addingTimeInterval(35)
        try await store.addCommit(commit("honest", bits: [1, 2]), from: "honest", receivedAt: now)
        #expect(try await store.addCommit(commit("honest", bits: [1, 2]), from: "honest", receivedAt: now) == .ignored, "the same commit again")
        try await store.addCommit(commit("liar", bits: [1, 2]), from: "liar", receivedAt: now)
        try await store.addCommit(commit("late", bits: [3, 4]), from: "late", receivedAt: now)
        try await store.addCommit(commit("other", bits: [5, 6]), from: "other", receivedAt: now)
        #expect(try await store.status(requestId: request.requestId) == .awaitingCommitments)
        #expect(try await store.commits(requestId: request.requestId).count == 4)

        let arrival = request.payload.endingAt.addingTimeInterval(1)
        #expect(try await store.addReveal(reveal("honest", bits: [1, 2]), from: "honest", receivedAt: arrival, revealDeadline: deadline) == .accepted)
        #expect(try await store.addReveal(reveal("honest", bits: [1, 2]), from: "honest", receivedAt: arrival, revealDeadline: deadline) == .repeated)
        #expect(try await store.addReveal(reveal("liar", bits: [7, 7]), from: "liar", receivedAt: arrival, revealDeadline: deadline) == .rejected(.hashMismatch))
        #expect(try await store.addReveal(reveal("late", bits: [3, 4]), from: "late", receivedAt: deadline.addingTimeInterval(2), revealDeadline: deadline)
                == .rejected(.late(by: 2)))
        #expect(try await store.addReveal(reveal("other", bits: [5, 6]), from: "impostor", receivedAt: arrival, revealDeadline: deadline)
                == .rejected(.senderMismatch(requestedSynthientId: "other")), "signed by another key than the one it reveals for")
        #expect(try await store.addReveal(reveal("stranger", bits: [5, 6]), from: "stranger", receivedAt: arrival, revealDeadline: deadline) == .rejected(.noCommit))
        #expect(try await store.addReveal(reveal("other", bits: [5, 6], inference: "inf-else"), from: "other", receivedAt: arrival, revealDeadline: deadline)
                == .rejected(.wrongInference(committed: "inf-other")))
        #expect(try await store.addReveal(reveal("other", bits: [5, 6]), from: "other", receivedAt: arrival, revealDeadline: nil) == .rejected(.unknownRequest))
        var older = reveal("other", bits: [5, 6])
        older.consensusVersion = ConsensusVersion.reference
        #expect(try await store.addReveal(older, from: "other", receivedAt: arrival, revealDeadline: deadline)
                == .rejected(.consensusVersionMismatch(revealed: 1, ours: ConsensusVersion.current)), "made by other consensus rules")

        #expect(try await store.reveals(requestId: request.requestId, acceptedOnly: true).map(\.synthientId) == ["honest"])
        let rejected = try await store.reveals(requestId: request.requestId).filter { $0.rejectReason != nil }
        #expect(rejected.count == 7)
        #expect(rejected.contains { $0.rejectReason?.contains("consensus version 1, this node follows version 2 (the sender should update rakis)") == true })
        #expect(rejected.contains { $0.rejectReason?.contains("does not hash to the commit") == true })
        #expect(try await !store.everyMemberRevealed(requestId: request.requestId))
        #expect(try await store.addReveal(reveal("other", bits: [5, 6]), from: "other", receivedAt: arrival, revealDeadline: deadline) == .accepted)
    }

    @Test func everyMemberRevealedTriggersEarlyConsensus() async throws {
        let store = QuorumStore(database: try CoordinationDatabase(directory: directory))
        let deadline = request.payload.endingAt.addingTimeInterval(35)
        #expect(try await !store.everyMemberRevealed(requestId: request.requestId), "no commits: nothing to finish early")
        for node in ["a", "b"] { try await store.addCommit(commit(node, bits: [1]), from: node, receivedAt: now) }
        try await store.addReveal(reveal("a", bits: [1]), from: "a", receivedAt: now, revealDeadline: deadline)
        #expect(try await !store.everyMemberRevealed(requestId: request.requestId))
        try await store.addReveal(reveal("b", bits: [1]), from: "b", receivedAt: now, revealDeadline: deadline)
        #expect(try await store.everyMemberRevealed(requestId: request.requestId))
    }

    @Test func finalStatusesNeverChangeAndOpenQuorumsSurviveReopening() async throws {
        do {
            let store = QuorumStore(database: try CoordinationDatabase(directory: directory))
            try await store.addCommit(commit("a", bits: [1]), from: "a", receivedAt: now)
            #expect(try await store.setStatus(.awaitingReveal, requestId: request.requestId, at: now))
            try await store.addCommit(InferenceCommit(requestId: "req-2", inferenceId: "x", bEmbeddingHash: "h", createdAt: now), from: "a", receivedAt: now)
            #expect(try await store.setStatus(.failed, requestId: "req-2", reason: "quorum not reached", at: now))
            #expect(try await !store.setStatus(.awaitingReveal, requestId: "req-2", at: now), "failed is final")
        }
        let store = QuorumStore(database: try CoordinationDatabase(directory: directory))
        #expect(try await store.status(requestId: "req-2") == .failed)
        let open = try await store.openQuorums()
        #expect(open.map(\.requestId) == [request.requestId])
        #expect(open.first?.status == .awaitingReveal)
    }

    @Test func commitsAreFiledOnlyWhileTheQuorumAwaitsThemAndOwnStepsAreRecorded() async throws {
        let store = QuorumStore(database: try CoordinationDatabase(directory: directory))
        try await store.openQuorum(requestId: request.requestId, at: now)
        #expect(try await store.addCommit(commit("a", bits: [1]), from: "a", receivedAt: now) == .filed)
        try await store.setStatus(.awaitingReveal, requestId: request.requestId, at: now)
        #expect(try await store.addCommit(commit("b", bits: [1]), from: "b", receivedAt: now) == .ignored, "the quorum is fixed once reveals are requested")
        #expect(try await store.commits(requestId: request.requestId).map(\.synthientId) == ["a"])
        try await store.mark(.revealSent, requestId: request.requestId, at: now)
        let record = try #require(try await store.record(requestId: request.requestId))
        #expect(record.revealSentAt == now)
        #expect(record.revealRequestSentAt == nil)
        #expect(record.status == .awaitingReveal)
    }

    @Test func consensusResultsAreKeptPerRequestAndPerVerifier() async throws {
        let database = try CoordinationDatabase(directory: directory)
        let store = ConsensusStore(database: database)
        let member = ConsensusRecord.Member(synthientId: "a", inferenceId: "i", bEmbeddingHash: "h")
        let record = ConsensusRecord(
            requestId: request.requestId, failureReason: nil, validInferenceJointHash: "joint",
            selected: .init(output: "out", synthientId: "a", bEmbeddingHash: "h"),
            details: .init(submitted: [member], accepted: [member], valid: [member], rejections: [], distances: [[0]], clusterSizes: [1], neededClusterSize: 1),
            computedAt: now)
        #expect(try await store.save(record))
        #expect(try await !store.save(record), "a request's first result stands")
        #expect(try await store.result(requestId: request.requestId) == record)
        let packet = InferenceQuorumComputed(
            requestId: request.requestId, verifiedBy: "peer", submittedInferences: [.init(inferenceId: "i")], validInferences: [.init(inferenceId: "i")],
            validInferenceJointHash: "joint", validSingleInference: .init(output: "out", fromSynthientId: "a", bEmbeddingHash: "h"), createdAt: now)
        try await store.savePeerResult(packet, receivedAt: now)
        try await store.savePeerResult(packet, receivedAt: now)
        var other = packet
        other.verifiedBy = "peer-2"
        try await store.savePeerResult(other, receivedAt: now)
        #expect(try await store.peerResults(requestId: request.requestId).map(\.verifiedBy) == ["peer", "peer-2"])
    }
}
