import Foundation
import GRDB
import RakisCore

/// A batch's packets applied to the peer table: who was seen, when, through which transport,
/// and what they reported.
extension PeerDB {
    /// Senders looked up, and sightings written, per statement: SQLite's limit on bound values
    /// (32,766) is far off, and a batch rarely has more senders than this.
    static let sendersPerStatement = 500

    /// Applies a batch of newly stored packets; returns whether a peer was seen for the first time.
    ///
    /// The common case — a known peer, through transports already recorded, with nothing but
    /// packets that change no statistics — only moves `lastSeen`, without decoding the row, and
    /// the batch's such peers are read and moved in one statement per `sendersPerStatement`:
    /// with a statement per sender, a batch from a thousand nodes cost a thousand lookups.
    func apply(_ packets: [ReceivedPacket], now: Date, in db: Database) throws -> Bool {
        let bySender = Dictionary(grouping: packets.filter { $0.synthientId != ownSynthientId }, by: \.synthientId)
        let stored = try storedTransports(of: Array(bySender.keys), in: db)
        var sightings: [(synthientId: String, lastSeen: Double)] = []
        var newPeersSeen = false
        for (synthientId, sent) in bySender {
            let latest = sent.lazy.map(\.receivedTime.timeIntervalSince1970).max()!
            let row = stored[synthientId]
            if let transports = row ?? nil, !Self.changesStatistics(sent), sent.allSatisfy({ $0.deliveredThrough.map(transports.contains) ?? true }) {
                sightings.append((synthientId, latest))
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

    /// What the packets add to a peer's row: their transports, and the maxima and facts they report.
    private func record(_ sent: [ReceivedPacket], in peer: inout Peer) {
        for transport in sent.compactMap(\.deliveredThrough) where !peer.seenOn.contains(transport) {
            peer.seenOn.append(transport)
        }
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

    /// The transports recorded for each of `senders` that has a row: nil for a row whose
    /// `seenOn` does not parse (it then takes the full update, which decodes the row).
    private func storedTransports(of senders: [String], in db: Database) throws -> [String: Set<String>?] {
        var stored: [String: Set<String>?] = Dictionary(minimumCapacity: senders.count)
        for start in stride(from: 0, to: senders.count, by: Self.sendersPerStatement) {
            let chunk = senders[start..<min(senders.count, start + Self.sendersPerStatement)]
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try Row.fetchCursor(
                db, sql: "SELECT synthientId, seenOn FROM peer WHERE synthientId IN (\(placeholders))", arguments: StatementArguments(chunk))
            while let row = try rows.next() {
                let seenOn: String = row[1]
                guard case .array(let transports)? = try? JSONParser().parse(seenOn) else {
                    stored[row[0]] = .some(nil)
                    continue
                }
                stored[row[0]] = Set(transports.compactMap(\.stringValue))
            }
        }
        return stored
    }

    /// Moves each peer's `lastSeen` forward to its sighting, never back.
    private func recordSightings(_ sightings: [(synthientId: String, lastSeen: Double)], in db: Database) throws {
        for start in stride(from: 0, to: sightings.count, by: Self.sendersPerStatement) {
            let chunk = sightings[start..<min(sightings.count, start + Self.sendersPerStatement)]
            let rows = Array(repeating: "(?, ?)", count: chunk.count).joined(separator: ", ")
            var arguments = StatementArguments()
            for sighting in chunk { arguments += [sighting.synthientId, sighting.lastSeen] }
            try db.execute(sql: """
                UPDATE peer SET lastSeen = MAX(lastSeen, sighting.column2)
                FROM (VALUES \(rows)) AS sighting WHERE peer.synthientId = sighting.column1
                """, arguments: arguments)
        }
    }
}
