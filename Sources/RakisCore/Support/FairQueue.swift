/// Work waiting under a flood, kept per source and taken round-robin, so that a source that
/// floods delays only its own items. At `capacity`, the item dropped is the oldest of the source
/// holding the most: a quiet peer loses nothing to a loud one. A pure value. Intake's backlog
/// keys it by the connection or relay key that delivered a packet; the Domain's queue of packet
/// events by the node that signed it.
public struct FairQueue<Element: Sendable>: Sendable {
    public let capacity: Int
    @inlinable public var count: Int { waiting }
    @usableFromInline var waiting = 0
    @usableFromInline var queues: [String: SourceQueue] = [:]
    /// Sources with packets waiting, in the order they are served.
    @usableFromInline var turn = SourceQueue.Ring<String>()
    /// Sources by how many packets each holds, to find the longest in constant time.
    @usableFromInline var sourcesByLength: [Int: Set<String>] = [:]
    @usableFromInline var longest = 0

    @inlinable
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    @inlinable
    public var isEmpty: Bool { count == 0 }

    /// Queues `element` from `source`; returns whether a packet was dropped to make room.
    @inlinable
    public mutating func append(_ element: Element, from source: String) -> Bool {
        var dropped = false
        if count >= capacity {
            dropOldestOfLongest()
            dropped = true
        }
        // A source keeps its one place in the turn while it has an entry, even an emptied one.
        if queues[source] == nil { turn.append(source) }
        let length = queues[source]?.items.count ?? 0
        queues[source, default: SourceQueue()].items.append(element)
        waiting += 1
        moved(source, from: length, to: length + 1)
        return dropped
    }

    /// Up to `limit` packets, one from each source in turn.
    @inlinable
    public mutating func take(_ limit: Int) -> [Element] {
        var batch: [Element] = []
        batch.reserveCapacity(min(limit, count))
        while batch.count < limit, let source = turn.popFirst() {
            guard var queue = queues[source], let element = queue.items.popFirst() else {
                queues[source] = nil
                continue
            }
            batch.append(element)
            waiting -= 1
            let length = queue.items.count
            moved(source, from: length + 1, to: length)
            if length == 0 {
                queues[source] = nil
            } else {
                queues[source] = queue
                turn.append(source)
            }
        }
        return batch
    }

    @inlinable
    mutating func dropOldestOfLongest() {
        guard let source = sourcesByLength[longest]?.first, var queue = queues[source], queue.items.popFirst() != nil else { return }
        waiting -= 1
        let length = queue.items.count
        moved(source, from: length + 1, to: length)
        // Emptied, it keeps its place in the turn until reached.
        queues[source] = queue
    }

    @inlinable
    mutating func moved(_ source: String, from old: Int, to new: Int) {
        if old > 0 {
            sourcesByLength[old]?.remove(source)
            if sourcesByLength[old]?.isEmpty == true { sourcesByLength[old] = nil }
        }
        if new > 0 { sourcesByLength[new, default: []].insert(source) }
        // Lengths move by one, so when the longest empties its bucket the next longest is `new`.
        if new > longest || (old == longest && sourcesByLength[old] == nil) { longest = new }
    }

    @usableFromInline
    struct SourceQueue: Sendable {
        @usableFromInline var items = Ring<Element>()

        @inlinable init() {}

        /// A FIFO on an array with a moving head, compacted when half of it is spent.
        @usableFromInline
        struct Ring<Item: Sendable>: Sendable {
            @usableFromInline var storage: [Item] = []
            @usableFromInline var head = 0

            @inlinable init() {}

            @inlinable var count: Int { storage.count - head }

            @inlinable mutating func append(_ item: Item) { storage.append(item) }

            @inlinable mutating func popFirst() -> Item? {
                guard head < storage.count else { return nil }
                let item = storage[head]
                head += 1
                if head > 32, head * 2 > storage.count {
                    storage.removeFirst(head)
                    head = 0
                }
                return item
            }
        }
    }
}
