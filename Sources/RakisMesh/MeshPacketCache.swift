import NIOCore

/// The packets this node passed on lately, by id, so that a peer that asks for one it was told
/// of (`iwant`) gets it. Bounded in count and bytes; the oldest go first.
struct MeshPacketCache: Sendable {
    let capacity: Int
    let maxBytes: Int
    private var order = CircularBuffer<String>()
    private var packets: [String: MeshPacket] = [:]
    private(set) var bytes = 0

    init(capacity: Int, maxBytes: Int) {
        self.capacity = max(1, capacity)
        self.maxBytes = max(1, maxBytes)
    }

    var count: Int { packets.count }

    subscript(id: String) -> MeshPacket? { packets[id] }

    mutating func insert(_ packet: MeshPacket, id: String) {
        guard packets.updateValue(packet, forKey: id) == nil else { return }
        order.append(id)
        bytes += packet.envelope.utf8.count
        while packets.count > capacity || (bytes > maxBytes && packets.count > 1) {
            let oldest = order.removeFirst()
            if let dropped = packets.removeValue(forKey: oldest) { bytes -= dropped.envelope.utf8.count }
        }
    }
}
