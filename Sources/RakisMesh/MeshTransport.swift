import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import HummingbirdWSClient
public import Logging
import NIOCore
public import RakisCore
public import RakisP2P
import ServiceLifecycle

/// Layer-1 transport over direct WebSocket connections between nodes.
///
/// Each node listens (Hummingbird's WebSocket upgrade) and dials its bootstrap peers; a signed
/// hello binds every connection to a synthientId. Packets spread by gossip: a node sends its own
/// packets to every peer; a packet it has not seen before it pushes to up to `fanout` other peers
/// and announces by id to the rest, which ask for it if they lack it, while it has hops left.
/// Peers the packet's signer is connected to are left out: the signer sent it to them. Nodes tell each other the addresses they know, so one bootstrap peer is
/// enough to find the rest. A peer that sends malformed frames, invalid packets or more frames
/// than its rate allows is dropped and banned for `banDuration`.
public actor MeshTransport: P2PTransport {
    public nonisolated let name: String
    public nonisolated let incoming: AsyncStream<TransportDelivery>
    let continuation: AsyncStream<TransportDelivery>.Continuation
    let identity: NodeIdentity
    let configuration: MeshConfiguration
    let logger: Logger

    var server: Task<Void, Never>?
    var serverGroup: ServiceGroup?
    var serverState: ServerState = .idle
    var maintenance: Task<Void, Never>?
    /// Wakes the dialer: an address learned, a dial ended, a connection lost, a redial due.
    let dialerWakeUps: AsyncStream<Void>
    let wakeDialer: AsyncStream<Void>.Continuation
    /// Wakes the dialer when the next redial is due.
    var redialTimer: Task<Void, Never>?
    var sessions: [UInt64: MeshOutbox] = [:]
    var connections: [UInt64: Connection] = [:]
    var nextSessionId: UInt64 = 0
    var addresses: [String: AddressState] = [:]
    var bans: [String: ContinuousClock.Instant] = [:]
    var seen: RecentIds
    /// What this node sent or passed on lately, offered to each peer that (re)connects.
    var catchUpLog: MeshCatchUpLog
    /// What this node passed on lately, by id, for peers that ask (`iwant`).
    var packetCache: RecentValues<String, MeshPacket>
    var gossip: MeshLazyGossip
    /// The next flush of announcements, asks and neighbors, when one is scheduled.
    var gossipTimer: Task<Void, Never>?
    var gossipDue: ContinuousClock.Instant?
    /// The neighbors last told, and the sessions that were told them.
    var neighborsTold: (ids: Set<String>, sessions: Set<UInt64>) = ([], [])
    /// Inbound connections and handshakes per remote address, and banned addresses.
    var addressGuard: MeshAddressGuard
    /// The remote address of each inbound session.
    var sessionHosts: [UInt64: String] = [:]
    var isStarted = false
    var isShutDown = false
    var counters = MeshStatistics()
    let stateChanges = ChangeSignal()

    enum ServerState: Equatable {
        case idle
        case listening(port: Int)
        case failed(String)
    }

    struct Connection {
        var synthientId: String
        /// Where the peer accepts connections, when it does.
        var listenAddress: String?
        /// The synthientId of the side that dialed; decides which of two parallel connections stays.
        var dialer: String
        var outgoing: MeshOutbox
        /// Packets this node may still pass on to the peer: half the peer's own limit.
        var forwardBudget: TokenBucket
    }

    struct AddressState {
        var isBootstrap: Bool
        var dialing = false
        var failures = 0
        var nextAttempt = ContinuousClock.now
        /// The address turned out to be this node.
        var isSelf = false
        /// Why the last dial failed, for the health check.
        var lastFailure: String?
    }

    public init(identity: NodeIdentity, configuration: MeshConfiguration, name: String = "mesh", logger: Logger = Logger(label: "rakis.mesh")) {
        self.name = name
        self.identity = identity
        self.configuration = configuration
        self.logger = logger
        self.seen = RecentIds(capacity: configuration.rememberedPackets)
        self.catchUpLog = MeshCatchUpLog(window: configuration.catchUpWindow, capacity: configuration.catchUpMaxPackets)
        self.packetCache = RecentValues(capacity: configuration.cachedPackets, maxBytes: configuration.cachedPacketBytes)
        self.gossip = MeshLazyGossip(retryAfter: configuration.askAgainAfter, maxWantsPerPeer: configuration.maxAsksPerPeer)
        (dialerWakeUps, wakeDialer) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (incoming, continuation) = AsyncStream.makeStream(
            of: TransportDelivery.self, bufferingPolicy: .bufferingOldest(configuration.incomingCapacity))
        addressGuard = MeshAddressGuard(
            maxConnections: configuration.maxConnectionsPerAddress, maxPendingHandshakes: configuration.maxPendingHandshakesPerHost,
            strikesBeforeBan: configuration.bansBeforeAddressBan, banDuration: configuration.banDuration)
        for peer in configuration.bootstrapPeers { addresses[peer] = AddressState(isBootstrap: true) }
    }

    // MARK: P2PTransport

    /// Starts listening (when configured) and dialing. Returns once it listens and a bootstrap
    /// peer answered or every one was tried; peers that did not answer are dialed again with
    /// backoff for as long as the transport runs. Throws when there is nothing to do or the
    /// listen address cannot be had (in use, not an address of this machine).
    public func start() async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        guard configuration.listenHost != nil || !configuration.bootstrapPeers.isEmpty else {
            throw .misconfigured(transport: name, reason: "nothing to listen on and no peers to dial; give --listen or --peer")
        }
        if !isStarted {
            isStarted = true
            if let host = configuration.listenHost { startServer(host: host, port: configuration.listenPort) }
            maintenance = Task { [weak self, dialerWakeUps] in
                for await _ in dialerWakeUps {
                    guard let self else { return }
                    await self.maintain()
                }
            }
            wakeDialer.yield()
        }
        // Woken when the listener comes up or fails, a peer connects or a dial ends.
        let changes = stateChanges.changes()
        defer { stateChanges.finish() }
        for await _ in changes {
            if case .failed(let reason) = serverState { throw .misconfigured(transport: name, reason: reason) }
            let listening = if case .listening = serverState { true } else { configuration.listenHost == nil }
            if listening {
                if !connections.isEmpty || configuration.bootstrapPeers.isEmpty { return }
                let tried = configuration.bootstrapPeers.allSatisfy { (addresses[$0]?.failures ?? 0) > 0 || addresses[$0]?.isSelf == true }
                if tried {
                    logger.warning("no mesh peer answered yet; dialing again in the background", metadata: [
                        "peers": "\(configuration.bootstrapPeers.joined(separator: ", "))",
                    ])
                    return
                }
            }
        }
    }

    public func status() async -> TransportStatus {
        var parts: [String] = []
        if let listenAddress = listenAddress() { parts.append("listening on \(listenAddress)") }
        if case .failed(let reason) = serverState { parts.append(reason) }
        parts.append(connections.isEmpty ? "no peer connected" : "\(connections.count) peer\(connections.count == 1 ? "" : "s") connected")
        let away = configuration.bootstrapPeers.filter { address in !connections.values.contains { $0.listenAddress == address } }
        if !away.isEmpty, connections.isEmpty {
            parts.append("dialing " + away.map { address in
                addresses[address]?.lastFailure.map { "\(address) (\($0))" } ?? address
            }.joined(separator: ", "))
        }
        return TransportStatus(name: name, connected: !connections.isEmpty, detail: parts.joined(separator: "; "), counters: statistics().counters)
    }

    /// Sends the envelope to every connected peer. With none connected (a first node, or all
    /// away while the maintenance loop redials) it reaches them through the catch-up once they
    /// connect.
    public func broadcast(_ envelope: [UInt8]) async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        guard envelope.count <= configuration.maxPacketBytes else {
            throw .sendFailed(transport: name, reason: "packet of \(envelope.count) bytes is over maxPacketBytes")
        }
        let text = String(decoding: envelope, as: UTF8.self)
        let packetId = Self.digest(text)
        seen.insert(packetId)
        let packet = MeshPacket(hops: configuration.hopLimit, envelope: text)
        catchUpLog.record(packet, origin: identity.synthientId, from: nil, at: .now)
        packetCache.insert(packet, forKey: packetId, bytes: text.utf8.count)
        for connection in connections.values { send(packet, to: connection.outgoing) }
        counters.sent += connections.count
    }

    /// Drops every connection; the maintenance loop dials again at once.
    public func restart() async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        for session in sessions.values { session.finish() }
        for key in addresses.keys { addresses[key]?.nextAttempt = .now; addresses[key]?.failures = 0 }
        wakeDialer.yield()
    }

    public nonisolated func statusChanges() -> AsyncStream<Void> { stateChanges.observers.subscribe() }

    public func shutdown() async {
        isShutDown = true
        maintenance?.cancel()
        redialTimer?.cancel()
        gossipTimer?.cancel()
        wakeDialer.finish()
        for session in sessions.values { session.finish() }
        await serverGroup?.triggerGracefulShutdown()
        await server?.value
        continuation.finish()
        stateChanges.observers.finish()
    }

    // MARK: Introspection

    /// `ws://host:port` of the listener once it is up (with the port it really got).
    public func listenAddress() -> String? {
        guard case .listening(let port) = serverState, let host = configuration.listenHost else { return nil }
        return configuration.advertise ?? "ws://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
    }

    /// The synthientIds this node has a verified connection with.
    public func connectedPeers() -> Set<String> { Set(connections.values.map(\.synthientId)) }

    public func statistics() -> MeshStatistics {
        var copy = counters
        copy.connections = connections.count
        copy.peersWithKnownNeighbors = connections.keys.filter { gossip.neighbors[$0] != nil }.count
        copy.banned = bans.count
        copy.pendingHandshakes = addressGuard.pendingCount
        copy.bannedAddresses = addressGuard.bannedCount(now: .now)
        return copy
    }
}
