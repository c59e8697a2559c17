/// What the mesh transport has done, for tests, logs and the benchmark.
public struct MeshStatistics: Sendable, Equatable {
    public var sent = 0
    public var received = 0
    public var duplicates = 0
    public var forwarded = 0
    /// Frames queued to peers after their hello, of every kind. Packets queued back to back
    /// leave together in one `packets` frame (`MeshOutbox`), and count one each here: the sends
    /// of a packet, whatever frames carried them.
    public var framesSent = 0
    /// Packet ids announced to peers (`ihave`), packets asked for (`iwant`), packets sent to
    /// peers that asked, and asks that went unanswered in time.
    public var announced = 0
    public var requested = 0
    public var served = 0
    public var brokenPromises = 0
    /// Packets offered again to peers that asked for a catch-up.
    public var caughtUp = 0
    public var violations = 0
    public var refusedHandshakes = 0
    /// Inbound connections refused because their address held its share or was banned.
    public var refusedConnections = 0
    /// Addresses banned as a whole since the start (see `bansBeforeAddressBan`).
    public var addressBans = 0
    /// Packets not passed on to a peer because its forwarding budget was spent.
    public var heldBackForwards = 0
    /// Verified packets dropped because intake's queue was full.
    public var droppedIncoming = 0
    /// Frames dropped because a peer read too slowly (its send buffer was full).
    public var droppedOutgoing = 0
    /// Connections bound to a peer since the start, reconnections included.
    public var connectionsMade = 0
    public var pendingHandshakes = 0
    public var connections = 0
    /// Connected peers that told whom they are connected to (`neighbors`).
    public var peersWithKnownNeighbors = 0
    public var banned = 0
    public var bannedAddresses = 0

    /// The figures by name, as a transport's status carries them.
    public var counters: [String: Int] {
        [
            "sent": sent, "framesSent": framesSent, "announced": announced, "requested": requested, "served": served,
            "brokenPromises": brokenPromises, "received": received, "duplicates": duplicates, "forwarded": forwarded, "caughtUp": caughtUp,
            "violations": violations, "refusedHandshakes": refusedHandshakes, "refusedConnections": refusedConnections,
            "addressBans": addressBans, "heldBackForwards": heldBackForwards, "droppedIncoming": droppedIncoming,
            "droppedOutgoing": droppedOutgoing, "connectionsMade": connectionsMade, "pendingHandshakes": pendingHandshakes,
            "connections": connections, "peersWithKnownNeighbors": peersWithKnownNeighbors, "bannedPeers": banned, "bannedAddresses": bannedAddresses,
        ]
    }
}
