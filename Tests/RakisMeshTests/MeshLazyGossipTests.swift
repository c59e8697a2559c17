@testable import RakisMesh
import Testing

/// The lazy half of gossip as a pure value: batching announcements, asking once, asking the
/// next announcer when an answer is overdue, and bounding what one peer can make this node ask.
struct MeshLazyGossipTests {
    let start = ContinuousClock.now
    func id(_ n: Int) -> String { String(repeating: "0", count: 60) + String(format: "%04x", n) }

    @Test func announcementsGatherPerPeerAndAPeerThatHasThePacketIsNotTold() {
        var gossip = MeshLazyGossip(retryAfter: .seconds(1), maxWantsPerPeer: 10)
        gossip.announce(id(1), to: 7)
        gossip.announce(id(2), to: 7)
        gossip.announce(id(1), to: 7)
        gossip.announce(id(1), to: 8)
        gossip.peerHas(id(1), session: 8)
        let batches = gossip.takeAnnouncements()
        #expect(batches.count == 1)
        #expect(batches.first?.session == 7 && Set(batches.first?.ids ?? []) == [id(1), id(2)])
        #expect(gossip.takeAnnouncements().isEmpty, "taken once")
    }

    @Test func aPacketIsAskedForOnceAndTheNextAnnouncerWhenTheFirstBreaksItsPromise() {
        var gossip = MeshLazyGossip(retryAfter: .seconds(1), maxWantsPerPeer: 10)
        let first = gossip.offered(id(1), by: 1, now: start)
        let second = gossip.offered(id(1), by: 2, now: start)
        let again = gossip.offered(id(1), by: 2, now: start)
        #expect(first && !second && !again, "asked once; peer 2 is the alternate, once")
        let early = gossip.retries(now: start + .milliseconds(999))
        #expect(early.isEmpty)
        #expect(gossip.nextRetry == start + .seconds(1))
        let retried = gossip.retries(now: start + .seconds(1))
        #expect(retried.count == 1 && retried.first?.session == 2 && retried.first?.ids == [id(1)])
        #expect(gossip.brokenPromises == 1)
        gossip.arrived(id(1))
        #expect(gossip.wants.isEmpty && gossip.nextRetry != nil, "the stale ask is skipped when it falls due")
        let late = gossip.retries(now: start + .seconds(5))
        #expect(late.isEmpty)
        #expect(gossip.brokenPromises == 1 && gossip.nextRetry == nil)
    }

    @Test func anAskWithNoOtherAnnouncerIsGivenUp() {
        var gossip = MeshLazyGossip(retryAfter: .seconds(1), maxWantsPerPeer: 10)
        let asked = gossip.offered(id(1), by: 1, now: start)
        let retried = gossip.retries(now: start + .seconds(2))
        #expect(asked && retried.isEmpty)
        #expect(gossip.wants.isEmpty)
        let askedAgain = gossip.offered(id(1), by: 1, now: start + .seconds(3))
        #expect(askedAgain, "a later announcement is asked for again")
    }

    /// A peer announcing ids it never sends holds at most `maxWantsPerPeer` asks; another peer's
    /// announcements are still asked for, and the liar's slots free up as its asks time out.
    @Test func onePeerCannotFillTheAsksWithPromisesItBreaks() {
        var gossip = MeshLazyGossip(retryAfter: .seconds(1), maxWantsPerPeer: 3)
        let asked = (0..<100).filter { gossip.offered(id($0), by: 1, now: start) }
        #expect(asked == [0, 1, 2])
        let another = gossip.offered(id(500), by: 2, now: start)
        #expect(another)
        _ = gossip.retries(now: start + .seconds(1))
        let freed = gossip.offered(id(50), by: 1, now: start + .seconds(1))
        #expect(freed)
        gossip.closed(1)
        #expect(gossip.neighbors[1] == nil && gossip.announcements[1] == nil)
    }
}
