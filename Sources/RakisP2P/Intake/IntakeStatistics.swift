/// Counters of what packet intake has seen, for logs, the dashboard and the benchmark.
public struct IntakeStatistics: Sendable, Equatable {
    public var queued = 0
    /// Batches checked: `queued` over this is the batch size intake ran at (larger under load).
    public var batches = 0
    /// Received packets dropped unprocessed because `maxIntakeBacklog` were already waiting.
    public var droppedOverBacklog = 0
    public var invalidSignatures = 0
    /// Ed25519 checks run: copies of a packet verified lately, and packets a transport verified,
    /// need none.
    public var signaturesChecked = 0
    /// Received packets refused because their `createdAt` lies outside the accepted window
    /// (`maxPacketAgeMs` back, `maxPacketClockSkewMs` ahead): replays and bad clocks.
    public var outsideTimeWindow = 0
    public var duplicates = 0
    public var stored = 0
    public var pruned = 0
    /// Peers removed from the peer table beyond `maxPeerTableSize`.
    public var prunedPeers = 0
    public var transmitted = 0
    public var storageFailures = 0

    public init() {}
}
