public import Foundation

/// `knownPeers`: peer exchange, so a node that joins learns who is out there.
public struct KnownPeers: Codable, Sendable, Hashable {
    public struct Entry: Codable, Sendable, Hashable {
        public var synthientId: String
        public var identities: [ChainIdentity]?
        public var lastSeen: Date
        public var totalWorkers: Int?
        public var seenOn: [String]
        public var totalTokens: Int?

        public init(
            synthientId: String, identities: [ChainIdentity]? = nil, lastSeen: Date, totalWorkers: Int? = nil,
            seenOn: [String], totalTokens: Int? = nil
        ) {
            self.synthientId = synthientId
            self.identities = identities
            self.lastSeen = lastSeen
            self.totalWorkers = totalWorkers
            self.seenOn = seenOn
            self.totalTokens = totalTokens
        }
    }

    public var peerList: [Entry]
    public var createdAt: Date

    public init(peerList: [Entry], createdAt: Date) {
        self.peerList = peerList
        self.createdAt = createdAt
    }
}
