import Foundation
import RakisCore
import Synchronization

/// Threads of intake's own, one per core by default, that parse and verify received packets: a
/// batch is split among them, so that Ed25519 checks use every core and never hold up Swift's
/// cooperative pool.
final class IntakeWorkers: Sendable {
    private let threads: [WorkerThread]
    /// Below this many items per thread a batch is not split further: waking a thread costs more.
    static let minimumShare = 8
    /// Pieces a batch is cut into per thread. Threads take the next piece as they finish one, so a
    /// thread slowed by the SQLite writer or the actor on its core takes fewer, and none waits
    /// idle for an equal share still running elsewhere.
    static let piecesPerThread = 4

    init(count: Int) {
        threads = (0..<max(1, count)).map { WorkerThread(name: "rakis-intake-\($0)") }
    }

    var count: Int { threads.count }

    /// `work` applied to every item, on the workers, in the items' order.
    func map<Item: Sendable, Result: Sendable>(_ items: [Item], _ work: @escaping @Sendable (Item) -> Result) async -> [Result] {
        guard !items.isEmpty else { return [] }
        let used = min(threads.count, max(1, items.count / Self.minimumShare))
        let size = max(Self.minimumShare, (items.count + used * Self.piecesPerThread - 1) / (used * Self.piecesPerThread))
        let pieces = stride(from: 0, to: items.count, by: size).map { $0..<min(items.count, $0 + size) }
        let next = PieceCounter()
        return await withTaskGroup(of: [(Int, [Result])].self) { group in
            for thread in threads.prefix(used) {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        thread.submit {
                            var done: [(Int, [Result])] = []
                            while let index = next.take(below: pieces.count) {
                                done.append((index, items[pieces[index]].map(work)))
                            }
                            continuation.resume(returning: done)
                        }
                    }
                }
            }
            var parts = [[Result]](repeating: [], count: pieces.count)
            for await done in group {
                for (index, part) in done { parts[index] = part }
            }
            return parts.flatMap { $0 }
        }
    }

    /// Ends the threads once their jobs are done.
    func stop() {
        for thread in threads { thread.stop() }
    }
}

/// The next piece of a batch not yet taken by a thread.
private final class PieceCounter: Sendable {
    private let next = Atomic<Int>(0)

    func take(below count: Int) -> Int? {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }
}
