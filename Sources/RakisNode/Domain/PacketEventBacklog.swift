import RakisCore
import RakisP2P
import Synchronization

/// Intake's events waiting for the Domain, in two lanes. Events about the work this node does
/// (its own packets, requests it serves, packets for requests in play, reveal requests naming it)
/// go first; the rest wait in a lane shared fairly by the nodes that signed them, where beyond
/// `capacity` the loudest sender loses its oldest. So a flood of useless packets, from however
/// many identities, never delays real work. One consumer drains it; the order of one sender's
/// events within a lane is kept.
final class PacketEventBacklog: Sendable {
    private struct Lanes {
        var urgent: FairQueue<PacketEvent>
        var rest: FairQueue<PacketEvent>
        var finished = false

        var isEmpty: Bool { urgent.isEmpty && rest.isEmpty }

        mutating func next() -> PacketEvent? {
            urgent.take(1).first ?? rest.take(1).first
        }
    }

    private let queue: Mutex<Lanes>
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let droppedCount = Atomic(0)

    init(capacity: Int) {
        queue = Mutex(Lanes(urgent: FairQueue(capacity: capacity), rest: FairQueue(capacity: capacity)))
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Events dropped unprocessed because `capacity` were waiting.
    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Queues an event in its lane; returns whether an older one of the lane's loudest sender was
    /// dropped for it.
    @discardableResult
    func push(_ event: PacketEvent, urgent: Bool) -> Bool {
        let dropped = queue.withLock { lanes in
            urgent ? lanes.urgent.append(event, from: event.synthientId) : lanes.rest.append(event, from: event.synthientId)
        }
        if dropped { droppedCount.add(1, ordering: .relaxed) }
        wake.yield()
        return dropped
    }

    /// No more events will come; `next` returns what is left, then nil.
    func finish() {
        queue.withLock { $0.finished = true }
        wake.finish()
    }

    /// Moves `events` into the backlog until they end, then finishes it; `isUrgent` picks the lane.
    func fill(from events: AsyncStream<PacketEvent>, isUrgent: @Sendable (PacketEvent) -> Bool) async {
        for await event in events { push(event, urgent: isUrgent(event)) }
        finish()
    }

    /// Runs `handle` on each event in fair order until the backlog is finished and empty. One
    /// consumer only.
    func drain(_ handle: @Sendable (PacketEvent) async -> Void) async {
        var wakes = wakeUps.makeAsyncIterator()
        while true {
            let (next, finished) = queue.withLock { ($0.next(), $0.finished) }
            if let next {
                await handle(next)
                continue
            }
            if finished { return }
            // Woken by the next push, or by the end (then what is left is taken before returning).
            if await wakes.next() == nil, queue.withLock({ $0.isEmpty }) { return }
        }
    }
}
