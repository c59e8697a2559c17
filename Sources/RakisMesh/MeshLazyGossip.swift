import NIOCore

/// The lazy half of gossip as a pure value, keyed by session: which packet ids wait to be
/// announced to which peer (`ihave`, sent in batches), which announced packets this node asked
/// for and whom it may ask next when an answer does not come (`iwant`), and whom each peer
/// says it is connected to (`neighbors`).
///
/// A peer that announces packets and never sends them (a broken promise) costs at most
/// `maxWantsPerPeer` outstanding asks; after `retryAfter` each ask goes to the next peer that
/// announced the same packet.
struct MeshLazyGossip: Sendable {
    struct Want: Sendable {
        var askedFrom: UInt64
        var askedAt: ContinuousClock.Instant
        /// Other peers that announced it, asked in turn should `askedFrom` not answer.
        var alternates: [UInt64] = []
    }

    let retryAfter: Duration
    let maxWantsPerPeer: Int
    static let maxAlternates = 8

    private(set) var announcements: [UInt64: Set<String>] = [:]
    private(set) var wants: [String: Want] = [:]
    /// Asks in the order they were made, for retries (entries whose want moved on are skipped).
    private var asks = CircularBuffer<(id: String, at: ContinuousClock.Instant)>()
    private var outstanding: [UInt64: Int] = [:]
    private(set) var neighbors: [UInt64: Set<String>] = [:]
    /// Counts for the statistics: asks that timed out because the peer never answered.
    private(set) var brokenPromises = 0

    init(retryAfter: Duration, maxWantsPerPeer: Int) {
        self.retryAfter = retryAfter
        self.maxWantsPerPeer = max(1, maxWantsPerPeer)
    }

    // MARK: Announcing

    mutating func announce(_ id: String, to session: UInt64) {
        announcements[session, default: []].insert(id)
    }

    /// The peer has the packet (it sent or announced it): no need to announce it there.
    mutating func peerHas(_ id: String, session: UInt64) {
        announcements[session]?.remove(id)
    }

    /// Every batch of announcements waiting, emptied.
    mutating func takeAnnouncements() -> [(session: UInt64, ids: [String])] {
        defer { announcements.removeAll(keepingCapacity: true) }
        return announcements.compactMap { $0.value.isEmpty ? nil : ($0.key, Array($0.value)) }
    }

    // MARK: Asking

    /// A peer announced `id`, which this node lacks: true when this node should ask it now.
    mutating func offered(_ id: String, by session: UInt64, now: ContinuousClock.Instant) -> Bool {
        if var want = wants[id] {
            if want.askedFrom != session, want.alternates.count < Self.maxAlternates, !want.alternates.contains(session) {
                want.alternates.append(session)
                wants[id] = want
            }
            return false
        }
        guard outstanding[session, default: 0] < maxWantsPerPeer else { return false }
        wants[id] = Want(askedFrom: session, askedAt: now)
        outstanding[session, default: 0] += 1
        asks.append((id, now))
        return true
    }

    /// The packet came, from whomever.
    mutating func arrived(_ id: String) {
        guard let want = wants.removeValue(forKey: id) else { return }
        release(want.askedFrom)
    }

    /// Asks whose answer is overdue go to the next peer that announced the packet; those with
    /// none left are given up.
    mutating func retries(now: ContinuousClock.Instant) -> [(session: UInt64, ids: [String])] {
        var next: [UInt64: [String]] = [:]
        while let first = asks.first, first.at + retryAfter <= now {
            asks.removeFirst()
            guard var want = wants[first.id], want.askedAt == first.at else { continue }
            brokenPromises += 1
            release(want.askedFrom)
            guard !want.alternates.isEmpty else {
                wants[first.id] = nil
                continue
            }
            want.askedFrom = want.alternates.removeFirst()
            want.askedAt = now
            wants[first.id] = want
            outstanding[want.askedFrom, default: 0] += 1
            asks.append((first.id, now))
            next[want.askedFrom, default: []].append(first.id)
        }
        return next.map { ($0.key, $0.value) }
    }

    /// When the oldest ask falls due, if any is outstanding.
    var nextRetry: ContinuousClock.Instant? { asks.first.map { $0.at + retryAfter } }

    private mutating func release(_ session: UInt64) {
        guard let count = outstanding[session] else { return }
        outstanding[session] = count > 1 ? count - 1 : nil
    }

    // MARK: Peers

    mutating func setNeighbors(_ ids: [String], of session: UInt64) {
        neighbors[session] = Set(ids)
    }

    /// A connection ended: nothing more is announced to it, and its asks go to others in time.
    mutating func closed(_ session: UInt64) {
        announcements[session] = nil
        neighbors[session] = nil
        outstanding[session] = nil
    }
}
