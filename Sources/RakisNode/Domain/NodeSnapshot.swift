public import Foundation

/// The node's figures at one moment, read together: `/api/stats` and `/metrics` both show them,
/// so that the two never disagree.
public struct NodeSnapshot: Sendable {
    public struct EmbeddingQueueFigures: Sendable, Equatable {
        public let length: Int
        public let inFlight: Int
        /// Items handed to workers since the start.
        public let dispatched: Int
        /// Seconds the dispatched items waited in the queue, summed.
        public let totalWaitSeconds: Double
        public let expired: Int
    }

    public let synthientId: String
    public let startedAt: Date
    public let takenAt: Date
    public let packetsStored: Int
    public let peers: Int
    /// Peers seen in the last five minutes.
    public let activePeers: Int
    public let requestsSeen: Int
    public let ownInferences: Int
    public let failedInferences: Int
    public let totalTokens: Int
    public let consensusSucceeded: Int
    public let consensusFailed: Int
    public let embeddingQueue: EmbeddingQueueFigures
    public let intake: IntakeStatistics
    /// Packet events dropped before the filer because `maxIntakeBacklog` were waiting.
    public let eventsDroppedOverBacklog: Int
    /// Packets the filer declined to file (over limits, or for requests this node never had).
    public let refusals: FiledPacketRefusals
    /// Packets from peers that could not be parsed.
    public let malformedPackets: Int
    /// Chain identities of peers that did not verify and were dropped.
    public let rejectedChainIdentities: Int
    public let workers: [WorkerSnapshot]
    public let transports: [TransportStatus]
    /// The LLMs and embedding models this node was started with.
    public let llmModels: [String]
    public let embeddingModels: [String]
    /// The chains this node watches, in the order of its settings.
    public let chains: [ChainFigures]

    public var uptimeSeconds: Double { takenAt.timeIntervalSince(startedAt) }
}
