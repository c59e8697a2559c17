/// How packets travel between simulated nodes.
public struct NetworkModel: Sendable, Hashable, Codable {
    /// Median one-way latency of a link, milliseconds; each link's latency is log-normal around it.
    public var medianLatencyMs: Double
    /// The log-normal's sigma: 0 gives every packet the median.
    public var latencySpread: Double
    /// Chance that one delivery is lost.
    public var loss: Double
    /// Splits the nodes in two halves between these times (milliseconds from the start); packets
    /// between the halves are lost while it lasts.
    public var partition: ClosedRange<Int>?
    /// Peers each node has in a sparse mesh over which packets spread by gossip (push to
    /// `fanout`, announce to the rest); nil: every node is connected to every other, so a packet
    /// goes from its signer to each node directly.
    public var meshDegree: Int?
    public var fanout = 3

    public init(medianLatencyMs: Double = 80, latencySpread: Double = 0.5, loss: Double = 0, partition: ClosedRange<Int>? = nil) {
        self.medianLatencyMs = medianLatencyMs
        self.latencySpread = latencySpread
        self.loss = loss
        self.partition = partition
    }

    var problem: String? {
        if medianLatencyMs < 0 || latencySpread < 0 { return "latency must be ≥ 0" }
        if !(0...1).contains(loss) { return "loss must be between 0 and 1" }
        if let meshDegree, meshDegree < 2 { return "a mesh degree must be at least 2" }
        if fanout < 0 { return "the fan-out must be ≥ 0" }
        return nil
    }
}
