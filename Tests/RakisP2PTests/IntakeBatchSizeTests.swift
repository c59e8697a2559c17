import Testing
@testable import RakisP2P

/// How intake cuts its backlog into batches (`PacketDB.batchSize`).
@Suite struct IntakeBatchSizeTests {
    /// The batches a drain of `waiting` packets takes, in order.
    private func drain(_ waiting: Int, size: Int) -> [Int] {
        var left = waiting, batches: [Int] = []
        while let batch = PacketDB.batchSize(waiting: left, size: size, draining: true) {
            batches.append(batch)
            left -= batch
        }
        return batches
    }

    @Test func underLoadABatchGrowsToTenTimesTheQueueSizeAndNoFurther() {
        #expect(PacketDB.batchSize(waiting: 99, size: 100, draining: false) == nil, "below the queue size, intake waits for the debounce")
        #expect(PacketDB.batchSize(waiting: 100, size: 100, draining: false) == 100)
        #expect(PacketDB.batchSize(waiting: 650, size: 100, draining: false) == 650)
        #expect(PacketDB.batchSize(waiting: 5_000, size: 100, draining: false) == 1_000)
        #expect(PacketDB.batchSize(waiting: 0, size: 100, draining: true) == nil)
    }

    @Test func aDrainTakesEveryPacketAndEndsInShortBatches() {
        let batches = drain(5_000, size: 100)
        #expect(batches.reduce(0, +) == 5_000)
        #expect(batches.allSatisfy { $0 <= 1_000 })
        #expect(batches.prefix(4) == [1_000, 1_000, 1_000, 1_000], "while much waits, a drain takes full batches")
        #expect(batches.suffix(3) == [125, 100, 25], "the last batches, written with nothing left to check beside them, are short")
        #expect(drain(2, size: 100) == [2], "a quiet queue goes in one batch")
        #expect(drain(150, size: 100) == [100, 50])
    }
}
