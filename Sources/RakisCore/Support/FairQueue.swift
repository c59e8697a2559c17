/// Work waiting under a flood, kept per source and taken round-robin, so that a source that
/// floods delays only its own items. At `capacity`, the item dropped is the oldest of the source
/// holding the most: a quiet peer loses nothing to a loud one. A pure value. Intake's backlog
/// keys it by the connection or relay key that delivered a packet; the Domain's queue of packet
/// events by the node that signed it.
public struct FairQueue<Element: Sendable>: Sendable {
    public let capacity: Int
    @inlinable public var count: Int { waiting }
    @usableFromInline var waiting = 0
    /// Sources are named by strings (a peer's id) but kept by slot: a string is hashed once per
    /// item queued, not at every step of the bookkeeping.
    @usableFromInline var slotOfSource: [String: Int] = [:]
    @usableFromInline var slots: [SourceQueue?] = []
    @usableFromInline var freeSlots: [Int] = []
    /// Slots with packets waiting, in the order they are served.
    @usableFromInline var turn = SourceQueue.Ring<Int>()
    /// Slots by how many packets each holds, to find the longest in constant time: bucket `n`
    /// lists the slots holding `n`, and `placeInBucket[slot]` where the slot is in its bucket, so
    /// a slot moves between buckets without hashing anything.
    @usableFromInline var slotsByLength: [[Int]] = [[]]
    @usableFromInline var placeInBucket: [Int] = []
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
        // A source keeps its one slot and place in the turn while it has an entry, even an emptied one.
        let slot: Int
        if let known = slotOfSource[source] {
            slot = known
        } else {
            slot = freeSlots.popLast() ?? slots.count
            if slot == slots.count {
                slots.append(nil)
                placeInBucket.append(0)
            }
            slots[slot] = SourceQueue(source: source)
            slotOfSource[source] = slot
            turn.append(slot)
        }
        let length = slots[slot]!.items.count
        slots[slot]!.items.append(element)
        waiting += 1
        moved(slot, from: length, to: length + 1)
        return dropped
    }

    /// Up to `limit` packets, one from each source in turn.
    @inlinable
    public mutating func take(_ limit: Int) -> [Element] {
        var batch: [Element] = []
        batch.reserveCapacity(min(limit, count))
        while batch.count < limit, let slot = turn.popFirst() {
            guard let element = slots[slot]!.items.popFirst() else {
                release(slot)
                continue
            }
            batch.append(element)
            waiting -= 1
            let length = slots[slot]!.items.count
            moved(slot, from: length + 1, to: length)
            if length == 0 {
                release(slot)
            } else {
                turn.append(slot)
            }
        }
        return batch
    }

    @inlinable
    mutating func release(_ slot: Int) {
        if let source = slots[slot]?.source { slotOfSource[source] = nil }
        slots[slot] = nil
        freeSlots.append(slot)
    }

    @inlinable
    mutating func dropOldestOfLongest() {
        guard longest > 0, let slot = slotsByLength[longest].last, slots[slot]?.items.popFirst() != nil else { return }
        waiting -= 1
        let length = slots[slot]!.items.count
        // Emptied, it keeps its place in the turn until reached.
        moved(slot, from: length + 1, to: length)
    }

    @inlinable
    mutating func moved(_ slot: Int, from old: Int, to new: Int) {
        if old > 0 {
            // Swap-remove: the bucket's last slot takes this one's place.
            let place = placeInBucket[slot]
            let last = slotsByLength[old].removeLast()
            if last != slot {
                slotsByLength[old][place] = last
                placeInBucket[last] = place
            }
        }
        if new > 0 {
            if new == slotsByLength.count { slotsByLength.append([]) }
            placeInBucket[slot] = slotsByLength[new].count
            slotsByLength[new].append(slot)
        }
        // Lengths move by one, so when the longest empties its bucket the next longest is `new`.
        if new > longest || (old == longest && slotsByLength[old].isEmpty) { longest = new }
    }

    @usableFromInline
    struct SourceQueue: Sendable {
        @usableFromInline let source: String
        @usableFromInline var items = Ring<Element>()

        @inlinable init(source: String) { self.source = source }

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
