import Crypto
public import Foundation
public import Logging
import RakisCore
public import RakisP2P

/// Layer-1 transport over Nostr relays (NIP-01): each packet envelope is the content of a
/// signed event of kind `NostrEvent.packetKind`, tagged `["t", topic]` and with a NIP-40
/// expiration, published to every configured relay; a packet over the relays' limits travels
/// as several chunk events (`NostrChunk`) that receivers join before intake sees them. The node reads back events of its topic
/// from all of them; an event is passed on once (by event id) and only after its id and
/// BIP-340 signature check out. The envelope inside carries its own Ed25519 signature, which
/// intake checks as for any transport.
public actor NostrTransport: P2PTransport {
    public nonisolated let name: String
    public nonisolated let incoming: AsyncStream<TransportDelivery>
    private let continuation: AsyncStream<TransportDelivery>.Continuation
    private let keys: BIP340.KeyPair
    private let ownPubkey: String
    private let configuration: NostrTransportConfiguration
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var clients: [NostrRelayClient] = []
    private var seen: RecentIds
    private var isShutDown = false
    private let stateChanges = ChangeSignal()
    private var assembler: ChunkAssembler
    private var sentEnvelopes = SentEnvelopes(capacity: 512)
    /// The content limit each refused packet was last sent again within, by relay and digest.
    private var resentWithin: [String: Int] = [:]
    private var delivered = 0
    private var dropped = 0
    private var chunkedPackets = 0
    private var joinedPackets = 0
    private var lostOnRelays = 0

    public init(
        keys: BIP340.KeyPair, configuration: NostrTransportConfiguration, name: String = "nostr",
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "rakis.nostr")
    ) {
        self.name = name
        self.keys = keys
        self.ownPubkey = Hex.encode(keys.publicKey)
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.seen = RecentIds(capacity: configuration.rememberedEventIds)
        self.assembler = ChunkAssembler(maxPacketBytes: configuration.maxPacketBytes, lifetime: TimeInterval(configuration.eventLifetimeSeconds))
        (incoming, continuation) = AsyncStream.makeStream(of: TransportDelivery.self, bufferingPolicy: .unbounded)
    }

    /// Checks the relay URLs, starts a client for each, and returns once one relay is subscribed
    /// or every relay has failed its first attempt; those keep retrying with their backoff for as
    /// long as the transport runs. Throws only for configuration that retrying cannot mend.
    public func start() async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        guard !configuration.relays.isEmpty else { throw .misconfigured(transport: name, reason: "no Nostr relays configured") }
        for url in configuration.relays {
            guard let parsed = URL(string: url), ["ws", "wss"].contains(parsed.scheme ?? ""), !(parsed.host ?? "").isEmpty else {
                throw .misconfigured(transport: name, reason: "\(url) is not a ws:// or wss:// relay URL")
            }
        }
        let changes = stateChanges.changes()
        defer { stateChanges.finish() }
        if clients.isEmpty {
            clients = configuration.relays.map { url in
                NostrRelayClient(
                    url: url, configuration: configuration, logger: logger,
                    deliver: { [weak self] event, relay in await self?.arrived(event, from: relay) },
                    refused: { [weak self] event, message, relay in await self?.refused(event, message: message, by: relay) },
                    stateChanged: { [stateChanges] in stateChanges.fire() })
            }
        }
        for client in clients { await client.start() }
        // Woken by the clients' state changes, and at once for the states they already have.
        for await _ in changes {
            var failed = 0
            for client in clients {
                if await client.hasConnected { return }
                if case .waiting = await client.state { failed += 1 }
            }
            if failed == clients.count {
                logger.warning("no Nostr relay reachable yet; retrying in the background", metadata: ["relays": "\(configuration.relays.joined(separator: ", "))"])
                return
            }
        }
    }

    public func status() async -> TransportStatus {
        var connected = false
        var parts: [String] = []
        for client in clients {
            let state = await client.state
            if state == .connected { connected = true }
            parts.append("\(client.url): \(state.summary)")
        }
        return TransportStatus(name: name, connected: connected, detail: parts.isEmpty ? "not started" : parts.joined(separator: "; "))
    }

    /// Publishes the envelope to every relay: as one event when it fits the tightest limits of
    /// the relays, as chunk events otherwise. A relay that is down keeps the events until it is
    /// back (or they expire), so this throws only when the events cannot be made.
    public func broadcast(_ envelope: [UInt8]) async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        guard !clients.isEmpty else { throw .notStarted(transport: name) }
        guard envelope.count <= configuration.maxPacketBytes else {
            throw .sendFailed(transport: name, reason: "packet of \(envelope.count) bytes is over maxPacketBytes")
        }
        var limits = await clients[0].limits
        for client in clients.dropFirst() { limits = limits.tightest(await client.limits) }
        let events = try events(for: envelope, within: limits)
        for client in clients { await client.publish(events) }
    }

    /// The events that carry `envelope` within `limits`, remembered so that a refused one can be
    /// sent again in smaller pieces.
    private func events(for envelope: [UInt8], within limits: RelayLimits) throws(TransportError) -> [NostrEvent] {
        let createdAt = Int(now().timeIntervalSince1970)
        let baseTags = [["t", configuration.topic], ["expiration", String(createdAt + configuration.eventLifetimeSeconds)]]
        var events: [NostrEvent] = []
        do {
            // Signed whole only when its content can fit; the tags and signature may still not.
            if envelope.count <= limits.maxContentLength,
               case let whole = try NostrEvent.signed(
                kind: NostrEvent.packetKind, tags: baseTags, content: String(decoding: envelope, as: UTF8.self), createdAt: createdAt, by: keys),
               limits.admits(whole)
            {
                events = [whole]
            } else {
                for chunk in NostrChunk.split(envelope, sliceBytes: NostrChunk.sliceBytes(for: limits)) {
                    events.append(try NostrEvent.signed(
                        kind: NostrEvent.packetKind, tags: baseTags + [chunk.tag], content: chunk.content, createdAt: createdAt, by: keys))
                }
                chunkedPackets += 1
            }
        } catch {
            throw .sendFailed(transport: name, reason: "\(error)")
        }
        for event in events {
            seen.insert(event.id)
            sentEnvelopes.remember(event.id, envelope)
        }
        return events
    }

    /// A relay refused one of our events for a reason other than a duplicate or a rate limit.
    /// When the refusal may be about size (NIP-01's `invalid:` and `error:`), the relay's limits
    /// shrink below that event and its packet goes to that relay again, in smaller chunks, until
    /// the floor; a packet that cannot be carried is logged as lost on that relay.
    private func refused(_ event: NostrEvent, message: String, by relay: String) async {
        guard !isShutDown, let client = clients.first(where: { $0.url == relay }) else { return }
        let metadata: Logger.Metadata = ["relay": "\(relay)", "event": "\(event.id)", "message": "\(message)"]
        let maybeSize = message.hasPrefix("invalid:") || message.hasPrefix("error:") || !message.contains(":")
        guard maybeSize, let envelope = sentEnvelopes.envelope(for: event.id) else {
            logger.error("Nostr relay refused a packet; it is lost on this relay", metadata: metadata)
            lostOnRelays += 1
            return
        }
        // Every chunk of a refused set comes back refused: the first refusal sends the packet
        // again in smaller pieces, and the others find it sent that way already.
        let resentKey = relay + " " + Hex.encode(Array(SHA256.hash(data: envelope)))
        if let within = resentWithin[resentKey], within < event.content.utf8.count { return }
        guard let smaller = await client.limits.shrunk(below: event.content.utf8.count) else {
            logger.error("Nostr relay refused a packet even in the smallest chunks; it is lost on this relay", metadata: metadata)
            lostOnRelays += 1
            return
        }
        await client.lower(to: smaller)
        if resentWithin.count > 4_096 { resentWithin.removeAll() }
        resentWithin[resentKey] = smaller.maxContentLength
        logger.warning("Nostr relay refused an event; sending its packet again in smaller chunks", metadata: metadata.merging([
            "maxContentLength": "\(smaller.maxContentLength)",
        ]) { a, _ in a })
        do {
            await client.publish(try events(for: envelope, within: smaller))
        } catch {
            logger.error("cannot split a refused packet", metadata: metadata.merging(["error": "\(error)"]) { a, _ in a })
        }
    }

    public func restart() async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        for client in clients { await client.reconnect() }
    }

    public nonisolated func statusChanges() -> AsyncStream<Void> { stateChanges.observers.subscribe() }

    public func shutdown() async {
        isShutDown = true
        for client in clients { await client.stop() }
        continuation.finish()
        stateChanges.observers.finish()
    }

    /// Relays that are subscribed right now.
    public func connectedRelays() async -> [String] {
        var urls: [String] = []
        for client in clients where await client.state == .connected { urls.append(client.url) }
        return urls
    }

    /// Events the relays refused (rate limits included), over all relays.
    public func refusedEvents() async -> Int {
        var total = 0
        for client in clients { total += await client.refusedEvents }
        return total
    }

    /// The limits each relay is held to now (NIP-11, the assumption, or lowered after refusals).
    public func relayLimits() async -> [String: RelayLimits] {
        var limits: [String: RelayLimits] = [:]
        for client in clients { limits[client.url] = await client.limits }
        return limits
    }

    /// Events passed on, and events dropped before intake (copies, other topics, expired).
    public func counts() -> (delivered: Int, dropped: Int) { (delivered, dropped) }

    /// Packets sent as chunks, packets joined from chunks, and packets some relay would not carry at all.
    public func chunkCounts() -> (sent: Int, joined: Int, lostOnRelays: Int) { (chunkedPackets, joinedPackets, lostOnRelays) }

    private func arrived(_ event: NostrEvent, from relay: String) {
        guard !isShutDown else { return }
        let nowDate = now()
        let nowSeconds = Int(nowDate.timeIntervalSince1970)
        guard event.kind == NostrEvent.packetKind, event.tag("t") == configuration.topic, event.pubkey != ownPubkey,
              (event.tag("expiration").flatMap(Int.init) ?? .max) > nowSeconds,
              event.content.utf8.count <= configuration.maxPacketBytes
        else {
            dropped += 1
            return
        }
        guard seen.insert(event.id) else {
            dropped += 1
            return
        }
        let bytes: [UInt8]
        do {
            guard let chunk = try NostrChunk(event: event) else {
                delivered += 1
                continuation.yield(TransportDelivery(bytes: Array(event.content.utf8), from: "\(event.pubkey)@\(relay)"))
                return
            }
            switch assembler.add(chunk, from: event.pubkey, at: nowDate) {
            case .incomplete, .duplicate: return
            case .complete(let joined): bytes = joined
            case .rejected(let reason): throw NostrEventError.malformed(reason)
            }
        } catch {
            dropped += 1
            logger.debug("dropped a bad chunk", metadata: ["relay": "\(relay)", "pubkey": "\(event.pubkey)", "error": "\(error)"])
            return
        }
        joinedPackets += 1
        delivered += 1
        continuation.yield(TransportDelivery(bytes: bytes, from: "\(event.pubkey)@\(relay)"))
    }
}

/// The envelopes behind the latest events this node published, by event id, so that a refused
/// event can be sent again in smaller pieces. Bounded: the oldest are forgotten first.
struct SentEnvelopes: Sendable {
    private var byEvent: [String: [UInt8]] = [:]
    private var order: [String] = []
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func remember(_ eventId: String, _ envelope: [UInt8]) {
        guard byEvent.updateValue(envelope, forKey: eventId) == nil else { return }
        order.append(eventId)
        if order.count > capacity { byEvent[order.removeFirst()] = nil }
    }

    func envelope(for eventId: String) -> [UInt8]? { byEvent[eventId] }
}
