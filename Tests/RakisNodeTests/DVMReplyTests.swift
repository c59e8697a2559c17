import Foundation
import RakisCore
import RakisDVM
import RakisNostr
import Testing

@testable import RakisNode

/// Who answers a NIP-90 job: one order that every node computes alike, and a reply held back
/// only by an equal one already seen.
struct DVMReplyTests {
    static let customer = try! BIP340.KeyPair(secretKey: Array(repeating: 3, count: 32))
    static let node = try! BIP340.KeyPair(secretKey: Array(repeating: 5, count: 32))

    static func job(_ tags: [[String]] = []) throws -> DVMJob {
        try DVMJob(event: try NostrEvent.signed(kind: 5050, tags: [["i", "Name a colour.", "text"]] + tags, content: "", createdAt: 1, by: customer))
    }

    @Test func everyCandidateGetsItsOwnPlaceTheSameOnEveryNode() throws {
        let job = try Self.job()
        let candidates = (0..<7).map { String(repeating: String($0), count: 64) }
        let reply = DVMReply(job: job, kind: .feedback(.processing, reason: nil), candidates: candidates)
        // Each node computes its own rank from the same list, in whatever order it holds it.
        let ranks = candidates.map { reply.rank(of: $0, addressedHere: false) }
        #expect(Set(ranks) == Set(0..<7))
        let shuffled = DVMReply(job: job, kind: .feedback(.processing, reason: nil), candidates: candidates.reversed())
        #expect(candidates.map { shuffled.rank(of: $0, addressedHere: false) } == ranks)
        // A node that is no candidate comes after all of them; the node a job names comes first.
        #expect(reply.rank(of: "outsider", addressedHere: false) == 7)
        #expect(reply.rank(of: candidates[ranks.firstIndex(of: 6)!], addressedHere: true) == 0)
        // Another job orders the same nodes differently.
        let other = DVMReply(job: try Self.job([["param", "max_tokens", "9"]]), kind: .feedback(.processing, reason: nil), candidates: candidates)
        #expect(candidates.map { other.rank(of: $0, addressedHere: false) } != ranks)
    }

    @Test func onlyAnEqualResultOrTheSameFeedbackHoldsAReplyBack() throws {
        let job = try Self.job()
        let sightings = DVMSightings(capacity: 2)
        let proof = DVMConsensusProof(requestId: "dvm:" + job.id, output: "Blue.", validInferenceJointHash: "aa", validMembers: ["m"], quorum: 1)
        var forged = proof
        forged.output = "Buy my coin."
        sightings.saw(try DVMResult.event(for: job, proof: forged, relayHint: nil, createdAt: 2, maxEventBytes: 65_536, by: Self.node))
        #expect(sightings.result(jobId: job.id, matching: proof) == nil, "a different output does not count")
        let honest = try DVMResult.event(for: job, proof: proof, relayHint: nil, createdAt: 2, maxEventBytes: 65_536, by: Self.node)
        sightings.saw(honest)
        #expect(sightings.result(jobId: job.id, matching: proof) == honest)
        #expect(!sightings.sawFeedback(.processing, jobId: job.id))
        sightings.saw(try DVMFeedback.event(.processing, reason: nil, job: job, relayHint: nil, createdAt: 2, by: Self.node))
        #expect(sightings.sawFeedback(.processing, jobId: job.id) && !sightings.sawFeedback(.error, jobId: job.id))
        // Bounded: the job seen longest ago is forgotten first.
        for other in ["j2", "j3"] {
            sightings.saw(NostrEvent(id: "x", pubkey: "p", createdAt: 1, kind: 7000, tags: [["status", "error"], ["e", other]], content: "", sig: "s"))
        }
        #expect(!sightings.sawFeedback(.processing, jobId: job.id) && sightings.sawFeedback(.error, jobId: "j3"))
    }
}
