import RakisCore
import RakisP2P
import Synchronization

/// Intake's events waiting for the Domain, shared fairly by the nodes that signed them: under a
/// flood from many identities, a real request or commit waits one round of the senders with
/// events waiting rather than behind everything that arrived before it, and beyond `capacity`
/// the loudest sender loses its oldest. One consumer takes events (`next`); the order of one
/// sender's events is kept.
final class PacketEventBacklog: Sendable {
    private let queue: Mutex<(events: FairQueue<PacketEvent>, finished: Bool)>
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let droppedCount = Atomic(0)

    init(capacity: Int) {
        queue = Mutex((FairQueue(capacity: capacity), false))
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Events dropped unprocessed because `capacity` were waiting.
    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Queues an event; returns whether an older one of the loudest sender was dropped for it.
    @discardableResult
    func push(_ event: PacketEvent) -> Bool {
        let dropped = queue.withLock { $0.events.append(event, from: event.synthientId) }
        if dropped { droppedCount.add(1, ordering: .relaxed) }
        wake.yield()
        return dropped
    }

    /// No more events will come; `next` returns what is left, then nil.
    func finish() {
        queue.withLock { $0.finished = true }
        wake.finish()
    }

    /// Moves `events` into the backlog until they end, then finishes it.
    func fill(from events: AsyncStream<PacketEvent>) async {
        for await event in events { push(event) }
        finish()
    }

    /// Runs `handle` on each event in fair order until the backlog is finished and empty. One
    /// consumer only.
    func drain(_ handle: @Sendable (PacketEvent) async -> Void) async {
        var wakes = wakeUps.makeAsyncIterator()
        while true {
            let (next, finished) = queue.withLock { ($0.events.take(1).first, $0.finished) }
            if let next {
                await handle(next)
                continue
            }
            if finished { return }
            // Woken by the next push, or by the end (then what is left is taken before returning).
            if await wakes.next() == nil, queue.withLock({ $0.events.isEmpty }) { return }
        }
    }
}
