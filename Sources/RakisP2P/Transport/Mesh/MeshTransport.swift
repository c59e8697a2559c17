import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import HummingbirdWSClient
public import Logging
import NIOCore
public import RakisCore
import ServiceLifecycle

/// Layer-1 transport over direct WebSocket connections between nodes.
///
/// Each node listens (Hummingbird's WebSocket upgrade) and dials its bootstrap peers; a signed
/// hello binds every connection to a synthientId. Packets spread by gossip: a node passes each
/// packet it has not seen before to up to `fanout` peers other than the one it came from, while
/// it has hops left. Nodes tell each other the addresses they know, so one bootstrap peer is
/// enough to find the rest. A peer that sends malformed frames, invalid packets or more frames
/// than its rate allows is dropped and banned for `banDuration`.
public actor MeshTransport: P2PTransport {
    public nonisolated let name: String
    public nonisolated let incoming: AsyncStream<TransportDelivery>
    private let continuation: AsyncStream<TransportDelivery>.Continuation
    private let identity: NodeIdentity
    private let configuration: MeshConfiguration
    private let logger: Logger

    private var server: Task<Void, Never>?
    private var serverGroup: ServiceGroup?
    private var serverState: ServerState = .idle
    private var maintenance: Task<Void, Never>?
    private var sessions: [UInt64: AsyncStream<String>.Continuation] = [:]
    private var connections: [UInt64: Connection] = [:]
    private var nextSessionId: UInt64 = 0
    private var addresses: [String: AddressState] = [:]
    private var bans: [String: ContinuousClock.Instant] = [:]
    private var seen: RecentIds
    /// What this node sent or passed on lately, offered to each peer that (re)connects.
    private var catchUpLog: MeshCatchUpLog
    /// Inbound connections per remote address that have not yet given a valid hello.
    private var pendingHandshakes: [String: Int] = [:]
    private var isStarted = false
    private var isShutDown = false
    private var counters = MeshStatistics()
    private let stateChanges = ChangeSignal()

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
        var outgoing: AsyncStream<String>.Continuation
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
        (incoming, continuation) = AsyncStream.makeStream(of: TransportDelivery.self, bufferingPolicy: .unbounded)
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
            maintenance = Task { [weak self] in
                while !Task.isCancelled {
                    await self?.maintain()
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
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
        return TransportStatus(name: name, connected: !connections.isEmpty, detail: parts.joined(separator: "; "))
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
        seen.insert(Self.digest(text))
        catchUpLog.record(MeshPacket(hops: configuration.hopLimit, envelope: text), origin: identity.synthientId, from: nil, at: .now)
        let frame = MeshMessage.packet(hops: configuration.hopLimit, envelope: text).text
        for connection in connections.values { connection.outgoing.yield(frame) }
        counters.sent += connections.count
    }

    /// Drops every connection; the maintenance loop dials again at once.
    public func restart() async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        for session in sessions.values { session.finish() }
        for key in addresses.keys { addresses[key]?.nextAttempt = .now; addresses[key]?.failures = 0 }
    }

    public func shutdown() async {
        isShutDown = true
        maintenance?.cancel()
        for session in sessions.values { session.finish() }
        await serverGroup?.triggerGracefulShutdown()
        await server?.value
        continuation.finish()
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
        copy.banned = bans.count
        copy.pendingHandshakes = pendingHandshakes.values.reduce(0, +)
        return copy
    }

    // MARK: Listening

    private func startServer(host: String, port: Int) {
        let wsConfiguration = WebSocketServerConfiguration(
            maxFrameSize: configuration.maxFrameBytes, autoPing: .enabled(timePeriod: .seconds(20)), closeTimeout: .seconds(2), validateUTF8: true)
        let router = Router()
        router.get("/") { _, _ in "rakis mesh node; connect with a WebSocket\n" }
        var appLogger = logger
        appLogger.logLevel = max(logger.logLevel, .notice)
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: wsConfiguration)) { [weak self] _, channel, _ in
                guard let transport = self else { return .dontUpgrade }
                let remoteHost = channel.remoteAddress?.ipAddress
                guard await transport.admit(remoteHost) else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    await transport.runSession(inbound: inbound, outbound: outbound, remoteHost: remoteHost, dialed: nil)
                }
            },
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { [weak self] channel in await self?.listening(port: channel.localAddress?.port ?? port) },
            logger: appLogger)
        // Run under a service group so that shutdown is graceful: cancelling the server instead
        // makes Hummingbird log every open connection as an error.
        let group = ServiceGroup(configuration: .init(services: [app], logger: appLogger))
        serverGroup = group
        server = Task { [weak self] in
            do { try await group.run() } catch { await self?.serverFailed("\(error)") }
        }
    }

    /// Whether another inbound handshake from `host` may start.
    private func admit(_ host: String?) -> Bool {
        guard let host else { return true }
        guard pendingHandshakes[host, default: 0] < configuration.maxPendingHandshakesPerHost else {
            counters.refusedHandshakes += 1
            return false
        }
        pendingHandshakes[host, default: 0] += 1
        return true
    }

    /// An inbound handshake from `host` finished (with a hello or a close).
    private func handshakeFinished(_ host: String?) {
        guard let host, let count = pendingHandshakes[host] else { return }
        pendingHandshakes[host] = count > 1 ? count - 1 : nil
    }

    private func listening(port: Int) {
        serverState = .listening(port: port)
        stateChanges.fire()
        logger.info("mesh listening", metadata: ["address": "\(listenAddress() ?? "?")"])
    }

    private func serverFailed(_ reason: String) {
        guard !isShutDown else { return }
        defer { stateChanges.fire() }
        serverState = .failed("cannot listen on \(configuration.listenHost ?? "?"):\(configuration.listenPort): \(reason)")
    }

    // MARK: Dialing

    private func maintain() {
        guard !isShutDown else { return }
        let now = ContinuousClock.now
        bans = bans.filter { $0.value > now }
        let connected = Set(connections.values.compactMap(\.listenAddress))
        for (address, state) in addresses where !state.dialing && !state.isSelf && !connected.contains(address) && state.nextAttempt <= now {
            guard state.isBootstrap || (configuration.exchangePeers && connections.count < configuration.maxPeers) else { continue }
            dial(address)
        }
    }

    private func dial(_ address: String) {
        addresses[address]?.dialing = true
        let wsConfiguration = WebSocketClientConfiguration(
            maxFrameSize: configuration.maxFrameBytes, closeTimeout: .seconds(2), autoPing: .enabled(timePeriod: .seconds(20)), validateUTF8: true)
        let logger = logger
        Task { [weak self] in
            guard let transport = self else { return }
            var failure: String?
            do {
                try await WebSocketClient.connect(url: address, configuration: wsConfiguration, logger: logger) { inbound, outbound, _ in
                    await transport.runSession(inbound: inbound, outbound: outbound, remoteHost: nil, dialed: address)
                }
            } catch {
                failure = ConnectionFailure.describe(error)
            }
            await transport.dialEnded(address, failure: failure)
        }
    }

    private func dialEnded(_ address: String, failure: String?) {
        guard var state = addresses[address] else { return }
        state.dialing = false
        state.lastFailure = failure
        // A session that got as far as a hello reset the count in `register`; any end counts
        // one, so the backoff is short after a good session and grows while the peer is away.
        state.failures += 1
        if state.failures == 1, let failure {
            logger.notice("mesh peer unreachable; will retry", metadata: ["peer": "\(address)", "error": "\(failure)"])
        }
        let delay = configuration.redialBackoff.delay(afterFailures: state.failures, unit: Double.random(in: 0..<1))
        state.nextAttempt = .now + delay
        addresses[address] = state
        stateChanges.fire()
    }

    // MARK: Sessions

    /// One connection, inbound or dialed, from challenge to close.
    private nonisolated func runSession(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, remoteHost: String?, dialed: String?) async {
        let (outgoing, out) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(4096))
        guard let id = await opened(out) else { return }
        var generator = SystemRandomNumberGenerator()
        let nonce = Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        out.yield(MeshMessage.challenge(nonce: nonce).text)
        let configuration = configuration

        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in outgoing {
                    do { try await outbound.write(.text(text)) } catch { break }
                }
                try? await outbound.close(.normalClosure, reason: nil)
            }
            group.addTask {
                try? await Task.sleep(for: configuration.handshakeTimeout)
                await self.handshakeDeadline(id)
            }
            group.addTask {
                var limiter = TokenBucket(rate: configuration.messagesPerSecond, burst: max(64, configuration.messagesPerSecond * 2))
                var peer: String?
                var theirChallenge: String?
                var caughtUp = false
                do {
                    for try await message in inbound.messages(maxSize: configuration.maxFrameBytes) {
                        guard case .text(let text) = message else { throw MeshProtocolError.violation("binary frame") }
                        guard limiter.take() else { throw MeshProtocolError.violation("more than \(Int(configuration.messagesPerSecond)) frames a second") }
                        switch try MeshMessage(parsing: text, maxBytes: configuration.maxFrameBytes) {
                        case .challenge(let theirs):
                            // The dialer says who it is first; the side it dialed answers only once
                            // it has accepted that, so a dialer never counts a refused connection.
                            if dialed != nil || peer != nil {
                                out.yield(MeshMessage.hello(await self.hello(answering: theirs)).text)
                            } else {
                                theirChallenge = theirs
                            }
                        case .hello(let hello):
                            guard peer == nil else { throw MeshProtocolError.violation("a second hello") }
                            guard hello.isValid(answering: nonce) else { throw MeshProtocolError.violation("hello not signed over our challenge") }
                            let registered = await self.register(
                                id, hello: hello, remoteHost: remoteHost, dialed: dialed, answering: dialed == nil ? theirChallenge : nil)
                            if dialed == nil { await self.handshakeFinished(remoteHost) }
                            guard registered else {
                                out.finish()
                                return
                            }
                            peer = hello.synthientId
                        case .packet(let hops, let envelope):
                            guard let peer else { throw MeshProtocolError.violation("packet before hello") }
                            try await self.received(envelope, hops: hops, session: id, from: peer)
                        case .peers(let list):
                            guard peer != nil else { throw MeshProtocolError.violation("peers before hello") }
                            await self.learn(list)
                        case .catchUp(let seconds):
                            guard let peer else { throw MeshProtocolError.violation("catchUp before hello") }
                            guard !caughtUp else { throw MeshProtocolError.violation("a second catchUp") }
                            caughtUp = true
                            await self.catchUp(session: id, peer: peer, seconds: seconds)
                        case .packets(let packets):
                            guard let peer else { throw MeshProtocolError.violation("packets before hello") }
                            for packet in packets {
                                try await self.received(packet.envelope, hops: packet.hops, session: id, from: peer)
                            }
                        }
                    }
                } catch let error as MeshProtocolError {
                    await self.punish(session: id, peer: peer, error)
                } catch {
                    // The connection failed or was closed: nothing to punish.
                }
                if peer == nil, dialed == nil { await self.handshakeFinished(remoteHost) }
                out.finish()
            }
            // Whichever ends first (reader, writer) ends the session.
            _ = await group.next()
            out.finish()
            group.cancelAll()
        }
        await closed(id)
    }

    private func opened(_ out: AsyncStream<String>.Continuation) -> UInt64? {
        guard !isShutDown else {
            out.finish()
            return nil
        }
        nextSessionId += 1
        sessions[nextSessionId] = out
        return nextSessionId
    }

    private func closed(_ id: UInt64) {
        sessions[id] = nil
        if let connection = connections.removeValue(forKey: id) {
            logger.debug("mesh peer disconnected", metadata: ["peer": "\(connection.synthientId)"])
        }
    }

    private func handshakeDeadline(_ id: UInt64) {
        guard connections[id] == nil, let session = sessions[id] else { return }
        logger.debug("mesh connection gave no valid hello in time; closing it")
        session.finish()
    }

    private func hello(answering nonce: String) -> MeshHello {
        let port = if case .listening(let port) = serverState { port } else { 0 }
        return MeshHello.signed(by: identity, topic: configuration.topic, nonce: nonce, listenPort: port, advertise: configuration.advertise)
    }

    /// Binds a session to the peer its hello names, or refuses it (without a ban). On the side
    /// that was dialed, `answering` is the dialer's challenge: our hello goes out only now, and
    /// before anything else.
    private func register(_ id: UInt64, hello: MeshHello, remoteHost: String?, dialed: String?, answering challenge: String?) -> Bool {
        guard let out = sessions[id] else { return false }
        let listenAddress = dialed ?? hello.advertise ?? (hello.listenPort > 0 ? remoteHost.map { "ws://\(Self.urlHost($0)):\(hello.listenPort)" } : nil)
        if hello.synthientId == identity.synthientId {
            if let dialed { addresses[dialed]?.isSelf = true }
            return false
        }
        if hello.topic != configuration.topic {
            logger.debug("refused a mesh peer on another topic", metadata: ["peer": "\(hello.synthientId)", "topic": "\(hello.topic)"])
            if let dialed { addresses[dialed]?.isSelf = true }
            return false
        }
        if let until = bans[hello.synthientId], until > .now { return false }
        let dialer = dialed == nil ? hello.synthientId : identity.synthientId
        if let (existingId, existing) = connections.first(where: { $0.value.synthientId == hello.synthientId }) {
            // Both sides may dial each other at once: both keep the connection dialed by the
            // lower synthientId, so they keep the same one.
            guard dialer < existing.dialer else { return false }
            sessions[existingId]?.finish()
            connections[existingId] = nil
        } else if dialed == nil, connections.count >= configuration.maxPeers {
            return false
        }
        connections[id] = Connection(synthientId: hello.synthientId, listenAddress: listenAddress, dialer: dialer, outgoing: out)
        if let challenge { out.yield(MeshMessage.hello(self.hello(answering: challenge)).text) }
        if let listenAddress {
            if addresses[listenAddress] == nil { addresses[listenAddress] = AddressState(isBootstrap: false) }
            addresses[listenAddress]?.failures = 0
        }
        logger.info("mesh peer connected", metadata: ["peer": "\(hello.synthientId)", "address": "\(listenAddress ?? "inbound")"])
        stateChanges.fire()
        // Whatever the peer sent while this connection was being set up, replaced or re-established
        // comes back in its answer; packets that arrive twice are dropped by digest.
        out.yield(MeshMessage.catchUp(seconds: Int(configuration.catchUpWindow.components.seconds)).text)
        if configuration.exchangePeers {
            // Tell the newcomer whom we know, and everyone else about the newcomer.
            var known = connections.values.compactMap(\.listenAddress).filter { $0 != listenAddress }
            if let own = self.listenAddress() { known.append(own) }
            if !known.isEmpty { out.yield(MeshMessage.peers(Array(known.prefix(256))).text) }
            if let listenAddress {
                let news = MeshMessage.peers([listenAddress]).text
                for (otherId, other) in connections where otherId != id { other.outgoing.yield(news) }
            }
        }
        return true
    }

    /// Answers a peer's catch-up with what it may have missed, in as few frames as fit.
    private func catchUp(session id: UInt64, peer: String, seconds: Int) {
        guard let connection = connections[id] else { return }
        let missed = catchUpLog.missed(by: peer, inLast: seconds, now: .now)
        for frame in MeshCatchUpLog.frames(missed, maxBytes: configuration.maxFrameBytes - 4_096) { connection.outgoing.yield(frame.text) }
        counters.caughtUp += missed.count
    }

    private func learn(_ list: [String]) {
        guard configuration.exchangePeers else { return }
        for address in list where addresses[address] == nil && (address.hasPrefix("ws://") || address.hasPrefix("wss://")) {
            guard addresses.count < 4096 else { return }
            addresses[address] = AddressState(isBootstrap: false)
        }
    }

    private func received(_ envelope: String, hops: Int, session id: UInt64, from peer: String) throws(MeshProtocolError) {
        counters.received += 1
        guard envelope.utf8.count <= configuration.maxPacketBytes else { throw .violation("packet over maxPacketBytes") }
        guard seen.insert(Self.digest(envelope)) else {
            counters.duplicates += 1
            return
        }
        // Checked before it is passed on, so that garbage never spreads and its sender is found out.
        let bytes = Array(envelope.utf8)
        let origin: String
        do {
            origin = try PacketEnvelope.decode(wire: bytes, limits: PacketLimits(maxBytes: configuration.maxPacketBytes)).verify().synthientId
        } catch {
            throw .violation("invalid packet: \(error)")
        }
        continuation.yield(TransportDelivery(bytes: bytes, from: peer))
        catchUpLog.record(MeshPacket(hops: max(0, hops - 1), envelope: envelope), origin: origin, from: peer, at: .now)
        guard hops > 1 else { return }
        let frame = MeshMessage.packet(hops: hops - 1, envelope: envelope).text
        // Neither the peer it came from nor the node that signed it needs it again.
        let targets = connections.filter { $0.key != id && $0.value.synthientId != origin }.values.shuffled().prefix(configuration.fanout)
        for target in targets { target.outgoing.yield(frame) }
        counters.forwarded += targets.count
    }

    private func punish(session id: UInt64, peer: String?, _ error: MeshProtocolError) {
        counters.violations += 1
        logger.warning("dropped a misbehaving mesh peer", metadata: ["peer": "\(peer ?? "before hello")", "reason": "\(error)"])
        if let peer { bans[peer] = .now + configuration.banDuration }
        sessions[id]?.finish()
        connections[id] = nil
    }

    private static func digest(_ text: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Array(text.utf8))))
    }

    private static func urlHost(_ ip: String) -> String { ip.contains(":") ? "[\(ip)]" : ip }
}

/// What the mesh transport has done, for tests, logs and the benchmark.
public struct MeshStatistics: Sendable, Equatable {
    public var sent = 0
    public var received = 0
    public var duplicates = 0
    public var forwarded = 0
    /// Packets offered again to peers that asked for a catch-up.
    public var caughtUp = 0
    public var violations = 0
    public var refusedHandshakes = 0
    public var pendingHandshakes = 0
    public var connections = 0
    public var banned = 0
}
