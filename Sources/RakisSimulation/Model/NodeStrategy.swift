/// What a simulated node does with a request. Honest nodes follow the protocol; each other
/// strategy is an attack any share of the nodes can follow.
public enum NodeStrategy: String, Sendable, Hashable, CaseIterable, Comparable, Codable, CodingKeyRepresentable {
    case honest
    /// Commits to and reveals a wrong answer of its own.
    case liar
    /// Commits to and reveals the same wrong answer as every other colluder: their own cluster.
    case colluder
    /// Does no work: commits the first commit hash it sees and reveals the output it then sees revealed.
    case copier
    /// Commits an honest answer and never reveals it.
    case withholder
    /// Commits an honest answer and reveals it after the reveal window closed.
    case lateRevealer = "late"
    /// Signs two different commits for one request, each sent to half of the network.
    case equivocator
    /// Commits to every request from many fresh identities at once (`sybilIdentities`), never revealing.
    case sybil
    /// Sends a request of its own every `spamIntervalMs` while the real ones go on; answers nothing.
    case spammer

    public static func < (a: NodeStrategy, b: NodeStrategy) -> Bool { a.rawValue < b.rawValue }

    /// Whether the node runs inferences at all.
    var runsInferences: Bool { self != .copier && self != .sybil && self != .spammer }
}
