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

    public init(medianLatencyMs: Double = 80, latencySpread: Double = 0.5, loss: Double = 0, partition: ClosedRange<Int>? = nil) {
        self.medianLatencyMs = medianLatencyMs
        self.latencySpread = latencySpread
        self.loss = loss
        self.partition = partition
    }

    var problem: String? {
        if medianLatencyMs < 0 || latencySpread < 0 { return "latency must be ≥ 0" }
        if !(0...1).contains(loss) { return "loss must be between 0 and 1" }
        return nil
    }
}
