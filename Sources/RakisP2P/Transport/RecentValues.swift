/// The most recent values by key, forgetting the oldest beyond a count and a total of bytes
/// (each value's weight, given when it is added): the mesh's packets for peers that ask, intake's
/// packets verified lately.
package struct RecentValues<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    package let capacity: Int
    package let maxBytes: Int
    private var values: [Key: (value: Value, bytes: Int)] = [:]
    private var order: [Key] = []
    private var head = 0
    private var bytes = 0

    package init(capacity: Int, maxBytes: Int) {
        self.capacity = max(1, capacity)
        self.maxBytes = max(1, maxBytes)
    }

    package var count: Int { values.count }

    package subscript(key: Key) -> Value? { values[key]?.value }

    /// Adds `value` unless `key` is there already; the oldest go while over either bound (the
    /// newest always stays).
    package mutating func insert(_ value: Value, forKey key: Key, bytes weight: Int) {
        guard values[key] == nil else { return }
        values[key] = (value, weight)
        order.append(key)
        bytes += weight
        while values.count > capacity || (bytes > maxBytes && values.count > 1) {
            if let evicted = values.removeValue(forKey: order[head]) { bytes -= evicted.bytes }
            head += 1
        }
        // The evicted front of `order` is dropped now and then, not on every insert.
        if head > capacity {
            order.removeFirst(head)
            head = 0
        }
    }
}
