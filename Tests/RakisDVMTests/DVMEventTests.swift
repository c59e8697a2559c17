import Foundation
import RakisCore
import RakisDVM
import RakisNostr
import Testing

/// The events a node answers a job with, and the store that keeps a job from running twice.
struct DVMEventTests {
    static let node = try! BIP340.KeyPair(secretKey: Array(repeating: 9, count: 32))
    static let proof = DVMConsensusProof(
        requestId: "dvm:" + String(repeating: "ab", count: 32), output: "Paris.", validInferenceJointHash: String(repeating: "cd", count: 32),
        validMembers: ["m1", "m2"], quorum: 2)

    static func job() throws -> DVMJob {
        try DVMJobTests.job([["i", "What is the capital of France?", "text"], ["relays", "wss://r.example"]])
    }

    @Test func theResultCarriesNIP90TagsAndTheConsensus() throws {
        let job = try Self.job()
        let result = try DVMResult.event(
            for: job, proof: Self.proof, relayHint: "ws://relay", createdAt: 1_800_000_001, maxEventBytes: 65_536, by: Self.node)
        try result.verify()
        #expect(result.kind == 6050)
        #expect(result.content == "Paris.")
        #expect(result.tags.contains(["e", job.id, "ws://relay"]))
        #expect(result.tags.contains(["p", job.customer]))
        #expect(result.tags.contains(["i", "What is the capital of France?", "text"]))
        #expect(result.tag("request") == CanonicalJSON.string(of: job.event.json))
        #expect(result.tag(DVMResult.jointHashTag) == Self.proof.validInferenceJointHash)
        #expect(result.tag(DVMResult.quorumTag) == "2")
        #expect(result.tags.filter { $0.first == DVMResult.memberTag }.map { $0[1] } == ["m1", "m2"])
        #expect(DVMResult.matches(result, jobId: job.id, proof: Self.proof))
        var other = Self.proof
        other.output = "Lyon."
        #expect(!DVMResult.matches(result, jobId: job.id, proof: other))
        // Too large for the relay: the job is named by its id only.
        let small = try DVMResult.event(for: job, proof: Self.proof, relayHint: nil, createdAt: 1, maxEventBytes: 600, by: Self.node)
        #expect(small.tag("request") == nil && small.tag("i") == nil && small.tag("e") == job.id)
    }

    @Test func feedbackNamesStatusJobAndCustomer() throws {
        let job = try Self.job()
        let feedback = try DVMFeedback.event(.error, reason: "no model", job: job, relayHint: nil, createdAt: 1, by: Self.node)
        try feedback.verify()
        #expect(feedback.kind == 7000)
        #expect(feedback.tags.first == ["status", "error", "no model"])
        #expect(feedback.tag("p") == job.customer)
        #expect(DVMFeedback.status(of: feedback, jobId: job.id) == .error)
        #expect(DVMFeedback.status(of: feedback, jobId: "other") == nil)
    }

    @Test func theAnnouncementDescribesTheService() throws {
        let event = try DVMAnnouncement.event(topic: "rakis1", models: ["m"], defaults: DVMJobTests.defaults, createdAt: 1, by: Self.node)
        try event.verify()
        #expect(event.kind == 31990 && event.tag("k") == "5050" && event.tag("d") == "rakis-rakis1")
        let content = try JSONParser().parse(Array(event.content.utf8))
        #expect(content["models"] == .array([.string("m")]))
        #expect(content["securityFrame"]?["quorum"] == .number(3))
    }

    @Test func aJobIsStoredOnceAndMovesOnlyForward() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-dvm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let job = try Self.job()
        var store: DVMJobStore? = try DVMJobStore(directory: directory)
        let record = DVMJobRecord(job: job, requestId: "dvm:" + job.id, status: .processing, reason: nil, receivedAt: Date())
        #expect(try await store!.insertIfNew(record))
        #expect(try await !store!.insertIfNew(record))
        #expect(try await store!.processing().map(\.jobId) == [job.id])
        try await store!.answered(job.id, resultEventId: "r1", here: true)
        try await store!.update(job.id, status: .error, reason: "late")
        // Reopened, as after a restart: the job is still known, answered, and reads back whole.
        store = nil
        let reopened = try DVMJobStore(directory: directory)
        let stored = try #require(try await reopened.job(job.id))
        #expect(stored.status == .success && stored.resultEventId == "r1" && stored.answeredHere)
        #expect(stored.job() == job)
        #expect(try await !reopened.insertIfNew(record))
        #expect(try await reopened.recent(limit: 10).map(\.status) == [.success])
    }
}
