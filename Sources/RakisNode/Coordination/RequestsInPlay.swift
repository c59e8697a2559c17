import Synchronization

/// The requests this node works on (its own, and peers' it serves), so that their packets go
/// ahead of the rest when a flood fills the queue before the filer. Bounded: beyond `capacity`
/// the oldest are forgotten, which only takes away their precedence.
final class RequestsInPlay: Sendable {
    private struct State {
        var ids: Set<String> = []
        var order: [String] = []
        var head = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func insert(_ requestId: String) {
        state.withLock { state in
            guard state.ids.insert(requestId).inserted else { return }
            state.order.append(requestId)
            if state.ids.count > capacity {
                state.ids.remove(state.order[state.head])
                state.head += 1
                if state.head * 2 > state.order.count {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
        }
    }

    func contains(_ requestId: String) -> Bool {
        state.withLock { $0.ids.contains(requestId) }
    }
}
