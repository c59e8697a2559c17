import Synchronization

/// Fans events out to any number of consumers, each with its own `AsyncStream`: packet
/// intake's events, the engines' worker events. Streams buffer without bound so that a slow
/// consumer never loses an event; each layer drains its stream into its own queue. A stream
/// its consumer dropped is forgotten; after `finish()` new streams end at once.
public final class EventHub<Event: Sendable>: Sendable {
    private struct State {
        var nextId = 0
        var subscribers: [Int: AsyncStream<Event>.Continuation] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    public init() {}

    /// A subscription its holder ends: after `end()` its stream yields what was published
    /// before and then finishes, so that a consumer stops between two events rather than being
    /// cancelled in the middle of one.
    public struct Subscription: Sendable {
        public let events: AsyncStream<Event>
        let continuation: AsyncStream<Event>.Continuation

        public func end() { continuation.finish() }
    }

    /// A new stream of every event published from now on.
    public func subscribe() -> AsyncStream<Event> {
        subscription().events
    }

    /// A new subscription to every event published from now on.
    public func subscription() -> Subscription {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        let id: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            defer { state.nextId += 1 }
            state.subscribers[state.nextId] = continuation
            return state.nextId
        }
        guard let id else {
            continuation.finish()
            return Subscription(events: stream, continuation: continuation)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return Subscription(events: stream, continuation: continuation)
    }

    public func publish(_ event: Event) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(event) }
    }

    /// Publishes `events` in order, reading the subscribers once for all of them.
    public func publish(contentsOf events: [Event]) {
        guard !events.isEmpty else { return }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            for event in events { subscriber.yield(event) }
        }
    }

    public func finish() {
        let subscribers = state.withLock { state in
            state.finished = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
