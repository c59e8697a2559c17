public import Foundation
public import GRDB
public import RakisCore

/// A row of the peer table: what this node knows of another node.
public struct Peer: Sendable, Codable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "peer"

    public var synthientId: String
    /// Transports this peer's packets have arrived through.
    public var seenOn: [String]
    /// Seconds since 1970 of the latest packet from (or report about) this peer.
    public var lastSeen: Double
    /// Highest token count the peer has reported.
    public var totalTokens: Int
    /// Highest worker count the peer has reported.
    public var totalWorkers: Int
    /// Chain addresses the peer claims. Not yet verified: checking the wallet signatures needs
    /// the chain layer (ECDSA recovery), so nothing may treat these as proven.
    public var chainIdentities: [ChainIdentity]
    public var deviceInfo: String?
    /// Requests for which this peer was caught signing two different commits or reveals.
    public var equivocations: Int

    public init(
        synthientId: String, seenOn: [String] = [], lastSeen: Date, totalTokens: Int = 0, totalWorkers: Int = 0,
        chainIdentities: [ChainIdentity] = [], deviceInfo: String? = nil, equivocations: Int = 0
    ) {
        self.synthientId = synthientId
        self.seenOn = seenOn
        self.lastSeen = lastSeen.timeIntervalSince1970
        self.totalTokens = totalTokens
        self.totalWorkers = totalWorkers
        self.chainIdentities = chainIdentities
        self.deviceInfo = deviceInfo
        self.equivocations = equivocations
    }

    public var lastSeenDate: Date { Date(timeIntervalSince1970: lastSeen) }
}
