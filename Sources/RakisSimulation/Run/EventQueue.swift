/// The simulation's future: events ordered by time, and among equal times by the order they were
/// scheduled in, so that a run never depends on anything but its seed. A binary min-heap.
struct EventQueue<Event> {
    private struct Entry {
        let at: Int64
        let sequence: UInt64
        let event: Event

        func precedes(_ other: Entry) -> Bool { (at, sequence) < (other.at, other.sequence) }
    }

    private var heap: [Entry] = []
    private var scheduled: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }

    /// Schedules `event` at `at` (milliseconds of simulated time).
    mutating func schedule(_ event: Event, at: Int64) {
        scheduled += 1
        heap.append(Entry(at: at, sequence: scheduled, event: event))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest event and its time.
    mutating func next() -> (at: Int64, event: Event)? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
                if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (first.at, first.event)
    }
}
