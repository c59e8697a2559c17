import RakisCore
import Testing

/// The flood backlogs' sharing rule, as a pure value: round-robin by source, and at capacity the
/// loudest source loses its oldest.
@Suite struct FairQueueTests {
    @Test func sourcesAreServedInTurn() {
        var queue = FairQueue<String>(capacity: 100)
        for n in 0..<5 { _ = queue.append("loud-\(n)", from: "loud") }
        _ = queue.append("quiet-0", from: "quiet")
        let first = queue.take(3), rest = queue.take(10)
        #expect(first == ["loud-0", "quiet-0", "loud-1"])
        #expect(rest == ["loud-2", "loud-3", "loud-4"])
        #expect(queue.isEmpty && queue.count == 0)
    }

    @Test func atCapacityTheLoudestSourceLosesItsOldest() {
        var queue = FairQueue<String>(capacity: 4)
        var drops = (0..<3).map { queue.append("loud-\($0)", from: "loud") }
        drops.append(queue.append("other-0", from: "other"))
        #expect(drops == [false, false, false, false])
        // Full: a quiet peer's packet pushes out the loud source's oldest, not anything of its own.
        let quietDrops = [queue.append("quiet-0", from: "quiet"), queue.append("quiet-1", from: "quiet")]
        #expect(quietDrops == [true, true])
        #expect(queue.count == 4)
        let left = queue.take(10).sorted()
        #expect(left == ["loud-2", "other-0", "quiet-0", "quiet-1"])
    }

    @Test func aFloodOfManySourcesNeverPushesOutAQuietPeer() {
        var queue = FairQueue<String>(capacity: 50)
        _ = queue.append("honest", from: "peer")
        var dropped = 0
        for n in 0..<10_000 where queue.append("flood-\(n)", from: "flooder-\(n % 7)") { dropped += 1 }
        #expect(dropped == 10_000 - 49)
        #expect(queue.count == 50)
        // The honest packet is still there, and comes out in the first round.
        let round = queue.take(8)
        #expect(round.contains("honest"))
    }

    @Test func aSourceEmptiedByDropsKeepsOnePlaceInTheTurn() {
        var queue = FairQueue<String>(capacity: 2)
        _ = queue.append("a-0", from: "a")
        _ = queue.append("b-0", from: "b")
        _ = queue.append("b-1", from: "b")  // drops a-0 or b-0 (both hold one): either way two remain
        _ = queue.append("a-1", from: "a")
        let all = queue.take(10)
        #expect(all.count == 2)
        #expect(Set(all).count == 2)
        let nothing = queue.take(10)
        #expect(nothing.isEmpty)
    }

    /// The longest source is found again after every move: drops keep taking from whichever
    /// source holds the most, as lengths change under appends, takes and drops.
    @Test func dropsFollowTheLongestSourceAsLengthsChange() {
        var queue = FairQueue<String>(capacity: 10)
        for (source, count) in [("a", 6), ("b", 3), ("c", 1)] {
            for n in 0..<count { _ = queue.append("\(source)-\(n)", from: source) }
        }
        let drops = [queue.append("d-0", from: "d"), queue.append("d-1", from: "d")]
        #expect(drops == [true, true])
        // Both drops took a's oldest (6 → 4); one turn then takes one from each source.
        var left = queue.take(4)
        #expect(left == ["a-2", "b-0", "c-0", "d-0"])
        // a 3, b 2, d 1, then e 4 fills the queue: the next packet costs e, now the longest.
        for n in 0..<4 { _ = queue.append("e-\(n)", from: "e") }
        #expect(queue.count == 10)
        let dropped = queue.append("f-0", from: "f")
        #expect(dropped)
        left = queue.take(20)
        #expect(left.filter { $0.hasPrefix("a-") } == ["a-3", "a-4", "a-5"])
        #expect(left.filter { $0.hasPrefix("e-") } == ["e-1", "e-2", "e-3"])
        #expect(queue.isEmpty)
    }
}
