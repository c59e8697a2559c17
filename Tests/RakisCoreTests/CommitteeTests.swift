import RakisCore
import Testing

struct CommitteeTests {
    static let node = String(repeating: "a", count: 64)

    /// sha256("req-1" ‖ "aaa…a") starts with 0x0d29…: 51,420 millionths of the range (computed with
    /// Python's hashlib), so the node is in a committee of share 0.051421 and not in one of 0.05142.
    @Test func eligibilityIsTheHashsShareOfTheRangeInMillionths() {
        #expect(Committee.isEligible(requestId: "req-1", synthientId: Self.node, share: 0.051421))
        #expect(!Committee.isEligible(requestId: "req-1", synthientId: Self.node, share: 0.05142))
    }

    @Test func withoutAShareBelowOneEveryNodeIsEligibleAndWithZeroNone() {
        #expect(Committee.isEligible(requestId: "r", synthientId: Self.node, share: nil))
        #expect(Committee.isEligible(requestId: "r", synthientId: Self.node, share: 1))
        #expect(!Committee.isEligible(requestId: "r", synthientId: Self.node, share: 0))
    }

    @Test func aboutTheShareOfNodesIsEligibleAndEachRequestDrawsAnotherCommittee() {
        let nodes = (0..<4_000).map { String($0, radix: 16) }
        let first = nodes.filter { Committee.isEligible(requestId: "req-1", synthientId: $0, share: 0.25) }
        let second = nodes.filter { Committee.isEligible(requestId: "req-2", synthientId: $0, share: 0.25) }
        #expect((900...1_100).contains(first.count), "\(first.count)")
        #expect((900...1_100).contains(second.count), "\(second.count)")
        #expect(Set(first).intersection(second).count < 400)
    }

    @Test func theDefaultShareMakesTheExpectedCommitteeAMultipleOfTheQuorum() {
        #expect(Committee.share(factor: 4, quorum: 3, nodes: 1_000) == 0.012)
        #expect(Committee.share(factor: 4, quorum: 3, nodes: 12) == nil)
        #expect(Committee.share(factor: 0, quorum: 3, nodes: 1_000) == nil)
    }
}
