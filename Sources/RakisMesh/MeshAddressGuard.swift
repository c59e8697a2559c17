/// Who may connect from where, as a pure value the listener consults at each WebSocket upgrade:
/// inbound connections per remote address (handshakes included), handshakes still without a
/// valid hello per address, and bans of whole addresses. An address earns a ban when
/// `strikesBeforeBan` of the identities it connected are banned within `banDuration`: a host
/// that keeps making new identities to misbehave with is kept off as a whole.
struct MeshAddressGuard: Sendable {
    enum Admission: Sendable, Equatable {
        case admitted
        case addressBanned
        case tooManyConnections
        case tooManyHandshakes
    }

    let maxConnections: Int
    let maxPendingHandshakes: Int
    let strikesBeforeBan: Int
    let banDuration: Duration
    /// Addresses remembered at most (strikes and bans), so that the guard itself stays bounded.
    let maxAddresses = 4096
    private(set) var connections: [String: Int] = [:]
    private(set) var pending: [String: Int] = [:]
    private var strikes: [String: [ContinuousClock.Instant]] = [:]
    private var bans: [String: ContinuousClock.Instant] = [:]

    init(maxConnections: Int, maxPendingHandshakes: Int, strikesBeforeBan: Int, banDuration: Duration) {
        self.maxConnections = maxConnections
        self.maxPendingHandshakes = maxPendingHandshakes
        self.strikesBeforeBan = strikesBeforeBan
        self.banDuration = banDuration
    }

    /// Whether a new inbound connection from `host` may start its handshake; counted when it may.
    mutating func admit(_ host: String, now: ContinuousClock.Instant) -> Admission {
        if isBanned(host, now: now) { return .addressBanned }
        guard connections[host, default: 0] < maxConnections else { return .tooManyConnections }
        guard pending[host, default: 0] < maxPendingHandshakes else { return .tooManyHandshakes }
        connections[host, default: 0] += 1
        pending[host, default: 0] += 1
        return .admitted
    }

    /// The handshake of a connection from `host` ended, with a hello or without.
    mutating func handshakeFinished(_ host: String) {
        Self.decrement(&pending, host)
    }

    /// A connection from `host` closed.
    mutating func closed(_ host: String) {
        Self.decrement(&connections, host)
    }

    /// An identity that connected from `host` was banned. Returns true when this strike bans the
    /// address itself.
    mutating func identityBanned(from host: String, now: ContinuousClock.Instant) -> Bool {
        forgetExpired(now: now)
        var recent = strikes[host, default: []]
        recent.append(now)
        guard recent.count >= strikesBeforeBan else {
            if strikes[host] != nil || strikes.count < maxAddresses { strikes[host] = recent }
            return false
        }
        strikes[host] = nil
        if bans[host] == nil, bans.count >= maxAddresses, let soonest = bans.min(by: { $0.value < $1.value })?.key {
            bans[soonest] = nil
        }
        bans[host] = now + banDuration
        return true
    }

    func isBanned(_ host: String, now: ContinuousClock.Instant) -> Bool {
        guard let until = bans[host] else { return false }
        return until > now
    }

    /// Addresses banned now.
    func bannedCount(now: ContinuousClock.Instant) -> Int { bans.values.filter { $0 > now }.count }

    var pendingCount: Int { pending.values.reduce(0, +) }

    private mutating func forgetExpired(now: ContinuousClock.Instant) {
        bans = bans.filter { $0.value > now }
        let since = now - banDuration
        strikes = strikes.compactMapValues { times in
            let recent = times.filter { $0 > since }
            return recent.isEmpty ? nil : recent
        }
    }

    private static func decrement(_ counts: inout [String: Int], _ host: String) {
        guard let count = counts[host] else { return }
        counts[host] = count > 1 ? count - 1 : nil
    }
}
