import Foundation
import GRDB
import RakisCore

/// A batch's packets applied to the peer table: who was seen, when, through which transport,
/// and what they reported.
extension PeerDB {
    /// How far a known peer's `lastSeen` may trail its latest packet, in seconds: a peer sending
    /// several batches' worth of packets a second has its row written once a second, not once a
    /// batch. Peer lists look back hours, and pruning goes by minutes.
    static let lastSeenResolution = 1.0

    /// Applies a batch of newly stored packets; returns whether a peer was seen for the first time.
    ///
    /// The batch's senders are read in one statement: with one per sender, a batch from a
    /// thousand nodes cost a thousand lookups. The common case — a known peer, through transports
    /// already recorded, with nothing but packets that change no statistics — only moves
    /// `lastSeen`, without decoding the row, and only when it moves by `lastSeenResolution`.
    func apply(_ packets: [ReceivedPacket], now: Date, in db: Database) throws -> Bool {
        let bySender = Dictionary(grouping: packets.filter { $0.synthientId != ownSynthientId }, by: \.synthientId)
        let stored = try storedSightings(of: Array(bySender.keys), in: db)
        var sightings: [(synthientId: String, lastSeen: Double)] = []
        var newPeersSeen = false
        for (synthientId, sent) in bySender {
            let latest = sent.lazy.map(\.receivedTime.timeIntervalSince1970).max()!
            let row = stored[synthientId]
            let plain = !Self.changesStatistics(sent)
            if plain, let row, let transports = row.transports, sent.allSatisfy({ $0.deliveredThrough.map(transports.contains) ?? true }) {
                if latest >= row.lastSeen + Self.lastSeenResolution { sightings.append((synthientId, latest)) }
                continue
            }
            if plain, row == nil {
                newPeersSeen = true
                try insertNewcomer(synthientId, seenOn: Self.transports(of: sent), lastSeen: latest, in: db)
                continue
            }
            let existing = row == nil ? nil : try Peer.fetchOne(db, key: synthientId)
            var peer = existing ?? Peer(synthientId: synthientId, lastSeen: Date(timeIntervalSince1970: latest))
            peer.lastSeen = max(peer.lastSeen, latest)
            record(sent, in: &peer)
            if existing == nil {
                newPeersSeen = true
                try peer.insert(db)
            } else {
                try peer.update(db)
            }
        }
        try recordSightings(sightings, in: db)

        let knownPeers = packets.compactMap { received -> KnownPeers? in
            guard received.type == .knownPeers, case .knownPeers(let list) = received.packet else { return nil }
            return list
        }
        if !knownPeers.isEmpty { try merge(knownPeers, now: now, in: db) }
        return newPeersSeen
    }

    private static func changesStatistics(_ sent: [ReceivedPacket]) -> Bool {
        sent.contains { received in
            switch received.type {
            case .peerStatusUpdate, .peerConnectedChain, .peerInfo: true
            default: false
            }
        }
    }

    /// The transports `sent` came through, each once, in the order first used.
    private static func transports(of sent: [ReceivedPacket]) -> [String] {
        var transports: [String] = []
        for transport in sent.compactMap(\.deliveredThrough) where !transports.contains(transport) { transports.append(transport) }
        return transports
    }

    /// A row for a peer first seen through packets that report nothing (a flood of fresh
    /// identities is all newcomers): the columns it has, written without encoding a whole `Peer`.
    private func insertNewcomer(_ synthientId: String, seenOn: [String], lastSeen: Double, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO peer (synthientId, seenOn, lastSeen) VALUES (?, ?, ?)")
            .execute(arguments: [synthientId, Self.jsonArray(seenOn), lastSeen])
    }

    /// What the packets add to a peer's row: their transports, and the maxima and facts they report.
    private func record(_ sent: [ReceivedPacket], in peer: inout Peer) {
        for transport in Self.transports(of: sent) where !peer.seenOn.contains(transport) { peer.seenOn.append(transport) }
        for received in sent.sorted(by: { $0.receivedTime < $1.receivedTime }) {
            switch received.packet {
            case .peerStatusUpdate(let update):
                switch update.status {
                case .boot(let tokens), .completedInference(_, _, let tokens):
                    peer.totalTokens = max(peer.totalTokens, tokens)
                case .loadedWorker(_, let workers):
                    peer.totalWorkers = max(peer.totalWorkers, workers)
                default:
                    break
                }
            case .peerConnectedChain(let chain):
                keepVerified(chain.identities, of: &peer)
            case .peerInfo(let info):
                peer.deviceInfo = String(info.deviceInfo.prefix(1024))
            default:
                break
            }
        }
    }

    /// What the row of a sender holds of its sightings.
    private struct StoredSighting {
        /// Nil where `seenOn` does not parse (the full update then decodes the row, and reports it).
        var transports: Set<String>?
        var lastSeen: Double
    }

    /// The stored sightings of each of `senders` that has a row, in one cached statement (the
    /// senders go as one JSON array). Most peers share a handful of `seenOn` lists, each parsed
    /// once a batch.
    private func storedSightings(of senders: [String], in db: Database) throws -> [String: StoredSighting] {
        guard !senders.isEmpty else { return [:] }
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT peer.synthientId, peer.seenOn, peer.lastSeen FROM json_each(?) AS sender JOIN peer ON peer.synthientId = sender.value
            """), arguments: [Self.jsonArray(senders)])
        var stored: [String: StoredSighting] = Dictionary(minimumCapacity: senders.count)
        var parsed: [String: Set<String>?] = [:]
        while let row = try rows.next() {
            let seenOn: String = row[1]
            let transports = parsed[seenOn] ?? {
                guard case .array(let items)? = try? JSONParser().parse(seenOn) else { return nil }
                return Set(items.compactMap(\.stringValue))
            }()
            parsed[seenOn] = transports
            stored[row[0]] = StoredSighting(transports: transports, lastSeen: row[2])
        }
        return stored
    }

    /// Strings as a JSON array: a `seenOn` column, or ids for `json_each`.
    private static func jsonArray(_ strings: [String]) -> String {
        String(decoding: CanonicalJSON.bytes(of: .array(strings.map { .string($0) })), as: UTF8.self)
    }

    /// Moves each peer's `lastSeen` forward to its sighting, never back.
    private func recordSightings(_ sightings: [(synthientId: String, lastSeen: Double)], in db: Database) throws {
        let update = try db.cachedStatement(sql: "UPDATE peer SET lastSeen = MAX(lastSeen, ?) WHERE synthientId = ?")
        for sighting in sightings { try update.execute(arguments: [sighting.lastSeen, sighting.synthientId]) }
    }
}
