public import Foundation
public import Logging
import RakisCore

/// Layer-1 transport over Nostr relays (NIP-01): each packet envelope is the content of a
/// signed event of kind `NostrEvent.packetKind`, tagged `["t", topic]` and with a NIP-40
/// expiration, published to every configured relay. The node reads back events of its topic
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
    private var delivered = 0
    private var dropped = 0

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
        (incoming, continuation) = AsyncStream.makeStream(of: TransportDelivery.self, bufferingPolicy: .unbounded)
    }

    /// Connects to every relay and returns once one of them is subscribed. Throws when every
    /// relay failed its first attempt (they are then stopped: the transport did not come up).
    public func start() async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        guard !configuration.relays.isEmpty else { throw .unavailable(transport: name, reason: "no Nostr relays configured") }
        if clients.isEmpty {
            clients = configuration.relays.map { url in
                NostrRelayClient(url: url, configuration: configuration, logger: logger) { [weak self] event, relay in
                    await self?.arrived(event, from: relay)
                }
            }
        }
        for client in clients { await client.start() }
        while true {
            var failures: [String] = []
            for client in clients {
                if await client.hasConnected { return }
                if case .waiting(_, let error) = await client.state { failures.append("\(client.url): \(error)") }
            }
            if failures.count == clients.count || Task.isCancelled {
                for client in clients { await client.stop() }
                clients = []
                throw .unavailable(transport: name, reason: failures.isEmpty ? "start was cancelled" : failures.joined(separator: "; "))
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Publishes the envelope to every relay. Relays that are down keep it until they are back
    /// (or it expires); this throws only when no relay took it now.
    public func broadcast(_ envelope: [UInt8]) async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        guard !clients.isEmpty else { throw .notStarted(transport: name) }
        guard envelope.count <= configuration.maxPacketBytes else {
            throw .sendFailed(transport: name, reason: "packet of \(envelope.count) bytes is over maxPacketBytes")
        }
        let createdAt = Int(now().timeIntervalSince1970)
        let event: NostrEvent
        do {
            event = try NostrEvent.signed(
                kind: NostrEvent.packetKind,
                tags: [["t", configuration.topic], ["expiration", String(createdAt + configuration.eventLifetimeSeconds)]],
                content: String(decoding: envelope, as: UTF8.self), createdAt: createdAt, by: keys)
        } catch {
            throw .sendFailed(transport: name, reason: "\(error)")
        }
        seen.insert(event.id)
        var sentNow = 0
        for client in clients where await client.publish(event) { sentNow += 1 }
        if sentNow == 0 {
            throw .sendFailed(transport: name, reason: "no relay is connected; the packet waits for one to come back")
        }
    }

    public func restart() async throws(TransportError) {
        guard !isShutDown else { throw .shutDown(transport: name) }
        for client in clients { await client.reconnect() }
    }

    public func shutdown() async {
        isShutDown = true
        for client in clients { await client.stop() }
        continuation.finish()
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

    /// Events passed on, and events dropped before intake (copies, other topics, expired).
    public func counts() -> (delivered: Int, dropped: Int) { (delivered, dropped) }

    private func arrived(_ event: NostrEvent, from relay: String) {
        guard !isShutDown else { return }
        let nowSeconds = Int(now().timeIntervalSince1970)
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
        delivered += 1
        continuation.yield(TransportDelivery(bytes: Array(event.content.utf8), from: "\(event.pubkey)@\(relay)"))
    }
}

/// A set of the most recent ids, forgetting the oldest beyond its capacity.
struct RecentIds: Sendable {
    private var members: Set<String> = []
    private var order: [String] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Returns false when the id was already there.
    @discardableResult
    mutating func insert(_ id: String) -> Bool {
        guard members.insert(id).inserted else { return false }
        order.append(id)
        if order.count - head > capacity {
            members.remove(order[head])
            head += 1
            if head > capacity { order.removeFirst(head); head = 0 }
        }
        return true
    }
}
