import Crypto

/// Which nodes answer a request. A request whose security frame has a `committeeShare` below 1 is
/// answered only by the nodes whose `sha256(requestId ‖ synthientId)` falls in that share of the
/// hash range, so that the expected committee is the share times the network's size rather than
/// the whole network. Every node can check any node's eligibility, so a commit from a node outside
/// the committee is refused on arrival.
///
/// The identity is free to make, so a node can make keys until one is eligible: committees bound
/// the work and traffic of honest nodes, not what an attacker with many identities can join.
public enum Committee {
    /// Whether `synthientId` may answer `requestId` under `share` (nil or ≥ 1: every node).
    /// Computed in integers (parts per million of the first 64 bits of the hash), so that every
    /// machine decides alike.
    public static func isEligible(requestId: String, synthientId: String, share: Double?) -> Bool {
        guard let share, share < 1 else { return true }
        guard share > 0 else { return false }
        var hasher = SHA256()
        hasher.update(data: Array(requestId.utf8))
        hasher.update(data: Array(synthientId.utf8))
        let prefix = hasher.finalize().prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let partsPerMillion = UInt64((share * 1_000_000).rounded())
        return prefix / (UInt64.max / 1_000_000) < partsPerMillion
    }

    /// The share that makes the expected committee `factor` times the quorum among `nodes` nodes;
    /// nil (every node) when that is the whole network.
    public static func share(factor: Double, quorum: Int, nodes: Int) -> Double? {
        guard factor > 0, nodes > 0 else { return nil }
        let share = factor * Double(quorum) / Double(nodes)
        return share < 1 ? (share * 1_000_000).rounded() / 1_000_000 : nil
    }
}
