/// The rules one request's consensus runs under: its security frame and the node's threshold.
public struct ConsensusParameters: Sendable, Hashable {
    public var requestId: String
    /// Accepted reveals needed for consensus to be attempted at all.
    public var quorum: Int
    /// Cluster radius in differing bits (Hamming distance); a distance equal to it is inside.
    public var secDistance: Double
    /// Share of the accepted reveals that must sit in one cluster, in (0, 1].
    public var secPercentage: Double
    /// Bits a recomputed binary embedding may differ from the revealed one.
    public var bEmbeddingThreshold: Int

    public init(requestId: String, quorum: Int, secDistance: Double, secPercentage: Double, bEmbeddingThreshold: Int) {
        self.requestId = requestId
        self.quorum = quorum
        self.secDistance = secDistance
        self.secPercentage = secPercentage
        self.bEmbeddingThreshold = bEmbeddingThreshold
    }
}
