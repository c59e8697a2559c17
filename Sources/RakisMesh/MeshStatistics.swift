/// What the mesh transport has done, for tests, logs and the benchmark.
public struct MeshStatistics: Sendable, Equatable {
    public var sent = 0
    public var received = 0
    public var duplicates = 0
    public var forwarded = 0
    /// Packets offered again to peers that asked for a catch-up.
    public var caughtUp = 0
    public var violations = 0
    public var refusedHandshakes = 0
    /// Connections bound to a peer since the start, reconnections included.
    public var connectionsMade = 0
    public var pendingHandshakes = 0
    public var connections = 0
    public var banned = 0
}
