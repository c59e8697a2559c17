/// Nodes going down and coming up while the requests go on, each at a time drawn at random
/// between the first request and the last.
public struct ChurnModel: Sendable, Hashable, Codable {
    /// Share of the nodes that crash once and restart `downtimeMs` later, their stores intact.
    public var crashes: Double
    public var downtimeMs: Int
    /// Share of the nodes that leave for good.
    public var leaves: Double
    /// Share of the nodes that are not there at the start and join.
    public var joins: Double
    /// Share of the nodes that lose their network once for `downtimeMs` while they keep running
    /// (a relay down, a cable pulled): nothing reaches them and nothing they send gets out.
    public var outages: Double

    public init(crashes: Double = 0, downtimeMs: Int = 15_000, leaves: Double = 0, joins: Double = 0, outages: Double = 0) {
        self.crashes = crashes
        self.downtimeMs = downtimeMs
        self.leaves = leaves
        self.joins = joins
        self.outages = outages
    }

    var problem: String? {
        if [crashes, leaves, joins, outages].contains(where: { $0 < 0 }) || crashes + leaves + joins + outages > 1 {
            return "churn shares (crashes, leaves, joins, outages) must be ≥ 0 and add up to at most 1"
        }
        if downtimeMs < 0 { return "downtimeMs must be ≥ 0" }
        return nil
    }
}
