public import Foundation
public import GRDB
public import Logging
import RakisCore
import RakisEthereum

/// The peer table and the reference PeerDB's rules for updating it:
/// `seenOn` is the union of transports, `lastSeen` the latest sighting, `totalTokens` and
/// `totalWorkers` the maxima ever reported, and `knownPeers` lists are merged in.
public struct PeerDB: Sendable {
    public let pool: DatabasePool
    /// This node's own id: never entered into its own peer table.
    public let ownSynthientId: String

    /// Bounds on what one hostile `knownPeers` or `peerConnectedChain` packet can add.
    static let maxEntriesPerKnownPeers = 200
    static let maxChainIdentitiesPerPeer = 16

    private let rejected = Counter()
    private let logger: Logger

    public init(pool: DatabasePool, ownSynthientId: String, logger: Logger = Logger(label: "rakis.p2p.peers")) {
        self.pool = pool
        self.ownSynthientId = ownSynthientId
        self.logger = logger
    }

    /// Chain identities dropped because their signature did not bind the claimed address to
    /// the node that sent them.
    public var rejectedChainIdentities: Int { rejected.value }

    // MARK: Queries

    public func peer(_ synthientId: String) async throws -> Peer? {
        try await pool.read { db in try Peer.fetchOne(db, key: synthientId) }
    }

    /// Counts one more request on which the peer signed two different commits or reveals.
    public func recordEquivocation(_ synthientId: String) async throws {
        _ = try await pool.write { db in
            try Peer.filter(key: synthientId).updateAll(db, Column("equivocations") += 1)
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Peer.fetchCount(db) }
    }

    /// How many peers were seen at or after `since`.
    public func count(since: Date) async throws -> Int {
        try await pool.read { db in try Peer.filter(Column("lastSeen") >= since.timeIntervalSince1970).fetchCount(db) }
    }

    /// Peers seen at or after `since`, most recent first.
    public func lastPeers(since: Date, limit: Int) async throws -> [Peer] {
        try await pool.read { db in
            try Peer.filter(Column("lastSeen") >= since.timeIntervalSince1970)
                .order(Column("lastSeen").desc).limit(limit).fetchAll(db)
        }
    }


    // MARK: Updates

    /// Bounds the table: once it holds a tenth more than `keep`, the peers seen longest ago go,
    /// down to `keep`; peers caught equivocating go last. Returns how many went.
    func prune(keeping keep: Int, in db: Database) throws -> Int {
        let count = try Peer.fetchCount(db)
        guard count > keep + max(10, keep / 10) else { return 0 }
        try db.execute(sql: """
            DELETE FROM peer WHERE synthientId IN (
                SELECT synthientId FROM peer ORDER BY equivocations > 0 DESC, lastSeen DESC LIMIT -1 OFFSET ?)
            """, arguments: [keep])
        return db.changesCount
    }

    /// Merges peer lists: for each peer, only the entry from the newest list counts; it can
    /// widen `seenOn` and raise `lastSeen` (never past now) and the reported maxima.
    func merge(_ lists: [KnownPeers], now: Date, in db: Database) throws {
        var newest: [String: (entry: KnownPeers.Entry, listCreatedAt: Date)] = [:]
        for list in lists {
            for entry in list.peerList.prefix(Self.maxEntriesPerKnownPeers)
            where entry.synthientId != ownSynthientId && Hex.isLowercaseHex(entry.synthientId, byteCount: 32) {
                if let current = newest[entry.synthientId], current.listCreatedAt >= list.createdAt { continue }
                newest[entry.synthientId] = (entry, list.createdAt)
            }
        }
        for (synthientId, item) in newest {
            let entry = item.entry
            let reportedLastSeen = min(entry.lastSeen, now)
            var peer = try Peer.fetchOne(db, key: synthientId) ?? Peer(synthientId: synthientId, lastSeen: reportedLastSeen)
            for transport in entry.seenOn.prefix(16) where !peer.seenOn.contains(transport) && transport.utf8.count <= 64 {
                peer.seenOn.append(transport)
            }
            peer.lastSeen = max(peer.lastSeen, reportedLastSeen.timeIntervalSince1970)
            peer.totalTokens = max(peer.totalTokens, entry.totalTokens ?? 0)
            peer.totalWorkers = max(peer.totalWorkers, entry.totalWorkers ?? 0)
            // Identities vouch for themselves: each must be signed over this entry's synthientId.
            keepVerified(entry.identities ?? [], of: &peer)
            try peer.save(db)
        }
    }

    /// Adds the identities whose address's wallet signed `peer`'s synthientId (in EIP-55 form),
    /// up to the bound; the others are logged and counted.
    func keepVerified(_ identities: [ChainIdentity], of peer: inout Peer) {
        for identity in identities.prefix(Self.maxChainIdentitiesPerPeer * 2) where peer.chainIdentities.count < Self.maxChainIdentitiesPerPeer {
            var verified = identity
            do {
                verified.address = try ChainIdentityCheck.verify(identity, sentBy: peer.synthientId).checksummed
            } catch {
                rejected.increment()
                logger.notice("dropped a chain identity that does not verify", metadata: [
                    "peer": "\(peer.synthientId)", "chain": "\(identity.chain.prefix(64))", "address": "\(identity.address.prefix(64))",
                    "reason": "\(error)",
                ])
                continue
            }
            if !peer.chainIdentities.contains(where: { $0.chain == verified.chain && $0.address == verified.address }) {
                peer.chainIdentities.append(verified)
            }
        }
    }
}
