import Foundation
import RakisCore

/// Threads of intake's own, one per core by default, that parse and verify received packets: a
/// batch is split among them, so that Ed25519 checks use every core and never hold up Swift's
/// cooperative pool.
final class IntakeWorkers: Sendable {
    private let threads: [WorkerThread]
    /// Below this many items per thread a batch is not split further: waking a thread costs more.
    static let minimumShare = 8

    init(count: Int) {
        threads = (0..<max(1, count)).map { WorkerThread(name: "rakis-intake-\($0)") }
    }

    var count: Int { threads.count }

    /// `work` applied to every item, on the workers, in the items' order.
    func map<Item: Sendable, Result: Sendable>(_ items: [Item], _ work: @escaping @Sendable (Item) -> Result) async -> [Result] {
        guard !items.isEmpty else { return [] }
        let shares = min(threads.count, max(1, items.count / Self.minimumShare))
        let size = (items.count + shares - 1) / shares
        let chunks = stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min(items.count, $0 + size)]) }
        return await withTaskGroup(of: (Int, [Result]).self) { group in
            for (index, chunk) in chunks.enumerated() {
                let thread = threads[index]
                group.addTask {
                    await withCheckedContinuation { continuation in
                        thread.submit { continuation.resume(returning: (index, chunk.map(work))) }
                    }
                }
            }
            var parts = [[Result]](repeating: [], count: chunks.count)
            for await (index, part) in group { parts[index] = part }
            return parts.flatMap { $0 }
        }
    }

    /// Ends the threads once their jobs are done.
    func stop() {
        for thread in threads { thread.stop() }
    }
}
