/// A set of the most recent ids, forgetting the oldest beyond its capacity.
package struct RecentIds: Sendable {
    private var members: Set<String> = []
    private var order: [String] = []
    private var head = 0
    package let capacity: Int

    package init(capacity: Int) { self.capacity = max(1, capacity) }

    package func contains(_ id: String) -> Bool { members.contains(id) }

    /// Returns false when the id was already there.
    @discardableResult
    package mutating func insert(_ id: String) -> Bool {
        guard members.insert(id).inserted else { return false }
        order.append(id)
        if order.count - head > capacity {
            members.remove(order[head])
            head += 1
            if head > capacity { order.removeFirst(head); head = 0 }
        }
        return true
    }
}
