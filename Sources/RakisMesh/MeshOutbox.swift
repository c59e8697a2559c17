import Synchronization

/// A connection's frames on their way to its writer, oldest first, at most `capacity` of them
/// (the oldest dropped beyond). The writer takes everything waiting at once, and packets queued
/// back to back leave together in one `packets` frame: under a burst each write (a frame, a
/// flush, a system call, for both sides) then carries as many packets as were waiting, instead
/// of one, while a packet alone still leaves at once in a `packet` frame of its own.
final class MeshOutbox: Sendable {
    enum Item: Sendable, Equatable {
        case frame(String)
        case packet(MeshPacket)
    }

    enum YieldResult: Sendable, Equatable {
        case enqueued
        /// Queued, and the oldest item dropped to make room: the peer reads too slowly.
        case dropped
        /// The connection is closing; nothing was queued.
        case terminated
    }

    private struct State {
        var items: [Item] = []
        var finished = false
        var writer: CheckedContinuation<[Item]?, Never>?
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    @discardableResult
    func yield(_ frame: String) -> YieldResult { enqueue(.frame(frame)) }

    @discardableResult
    func yield(packet: MeshPacket) -> YieldResult { enqueue(.packet(packet)) }

    private func enqueue(_ item: Item) -> YieldResult {
        let (writer, result): (CheckedContinuation<[Item]?, Never>?, YieldResult) = state.withLock { state in
            guard !state.finished else { return (nil, .terminated) }
            if let writer = state.writer {
                state.writer = nil
                return (writer, .enqueued)
            }
            state.items.append(item)
            guard state.items.count > capacity else { return (nil, .enqueued) }
            state.items.removeFirst()
            return (nil, .dropped)
        }
        writer?.resume(returning: [item])
        return result
    }

    /// Everything waiting, once there is something; nil once finished and emptied.
    func next() async -> [Item]? {
        await withCheckedContinuation { continuation in
            let ready: [Item]?? = state.withLock { state in
                if !state.items.isEmpty {
                    defer { state.items = [] }
                    return .some(state.items)
                }
                if state.finished { return .some(nil) }
                state.writer = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// No more items: the writer gets what is waiting, then nil.
    func finish() {
        let writer = state.withLock { state in
            state.finished = true
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume(returning: nil)
    }

    /// Packets one frame carries at most. Enough to share a write's cost among many, and small
    /// enough that the peer verifies the first while the next are still on their way: a frame
    /// is read whole before any of its packets is looked at.
    static let packetsPerFrame = 32

    /// The frames that carry `items` in order: packets queued back to back share `packets` frames
    /// of at most `maxBytes`; a packet between other frames goes alone.
    static func frames(_ items: [Item], maxBytes: Int) -> [String] {
        var frames: [String] = []
        var run: [MeshPacket] = []
        func flush() {
            if run.isEmpty { return }
            if run.count == 1 {
                frames.append(MeshMessage.packet(hops: run[0].hops, envelope: run[0].envelope).text)
            } else {
                for start in stride(from: 0, to: run.count, by: packetsPerFrame) {
                    let part = Array(run[start..<min(run.count, start + packetsPerFrame)])
                    frames += MeshCatchUpLog.frames(part, maxBytes: maxBytes).map(\.text)
                }
            }
            run = []
        }
        for item in items {
            switch item {
            case .packet(let packet): run.append(packet)
            case .frame(let text):
                flush()
                frames.append(text)
            }
        }
        flush()
        return frames
    }
}
