import RakisP2P
import NIOCore

/// The packets a mesh node sent or passed on lately, kept to bring peers that (re)connect up to
/// date. Bounded in age and count; the oldest go first.
struct MeshCatchUpLog: Sendable {
    struct Entry: Sendable {
        var at: ContinuousClock.Instant
        var packet: MeshPacket
        /// The synthientId that signed the packet, and the peer it came from (nil: this node's own).
        var origin: String
        var from: String?
    }

    let window: Duration
    let capacity: Int
    private var entries = CircularBuffer<Entry>()

    init(window: Duration, capacity: Int) {
        self.window = window
        self.capacity = max(1, capacity)
    }

    mutating func record(_ packet: MeshPacket, origin: String, from: String?, at now: ContinuousClock.Instant) {
        entries.append(Entry(at: now, packet: packet, origin: origin, from: from))
        if entries.count > capacity { entries.removeFirst() }
    }

    /// What `peer` may have missed in the last `seconds`: packets it neither signed nor sent us.
    func missed(by peer: String, inLast seconds: Int, now: ContinuousClock.Instant) -> [MeshPacket] {
        let cutoff = now - min(window, .seconds(seconds))
        return entries.filter { $0.at >= cutoff && $0.origin != peer && $0.from != peer }.map(\.packet)
    }

    /// `packets` in frames of at most `maxBytes` of envelopes each.
    static func frames(_ packets: [MeshPacket], maxBytes: Int) -> [MeshMessage] {
        var frames: [MeshMessage] = []
        var batch: [MeshPacket] = []
        var size = 0
        for packet in packets {
            let bytes = packet.envelope.utf8.count * 2 + 32
            if !batch.isEmpty, size + bytes > maxBytes {
                frames.append(.packets(batch))
                batch = []
                size = 0
            }
            batch.append(packet)
            size += bytes
        }
        if !batch.isEmpty { frames.append(.packets(batch)) }
        return frames
    }
}
