import Foundation
public import Logging
import RakisCore

/// Nostr relays for other events than rakis packets (NIP-90 jobs, their feedback and results):
/// one connection per relay, each subscribed to the same filters, delivering every verified
/// event it gets; publishing goes to all of them, and to further relays named for one event
/// (a customer's), which are connected on first use and kept up to a bound.
///
/// Unlike the packet transport it drops nothing by kind or topic: its reader filters.
public actor NostrRelayPool {
    public struct Arrival: Sendable {
        public let event: NostrEvent
        public let relay: String
    }

    public nonisolated let arrivals: AsyncStream<Arrival>
    private let continuation: AsyncStream<Arrival>.Continuation
    private let configuration: NostrTransportConfiguration
    private let logger: Logger
    private let maxExtraRelays: Int
    private var filters: [NostrFilter]
    private var clients: [NostrRelayClient] = []
    private var extraClients: [String: NostrRelayClient] = [:]
    private var stopped = false

    /// - Parameters:
    ///   - relays: the relays subscribed to.
    ///   - maxExtraRelays: relays beyond `relays` this pool will connect to for publishing.
    public init(
        relays: [String], filters: [NostrFilter], eventLifetimeSeconds: Int = 3600, maxExtraRelays: Int = 8,
        logger: Logger = Logger(label: "rakis.nostr.pool")
    ) {
        configuration = NostrTransportConfiguration(relays: relays, topic: "", eventLifetimeSeconds: eventLifetimeSeconds, maxPacketBytes: 256 * 1024)
        self.filters = filters
        self.maxExtraRelays = maxExtraRelays
        self.logger = logger
        (arrivals, continuation) = AsyncStream.makeStream(of: Arrival.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Whether `url` is a relay URL this pool can use: ws:// or wss:// with a host.
    public static func isRelayURL(_ url: String) -> Bool {
        guard let parsed = URL(string: url), ["ws", "wss"].contains(parsed.scheme ?? "") else { return false }
        return !(parsed.host ?? "").isEmpty
    }

    /// Connects to every relay (each keeps retrying with its backoff while the pool runs).
    public func start() async {
        guard !stopped, clients.isEmpty else { return }
        clients = configuration.relays.filter(Self.isRelayURL).map { makeClient($0, filters: filters) }
        for client in clients { await client.start() }
    }

    /// Replaces the filters on every subscribed relay.
    public func subscribe(to filters: [NostrFilter]) async {
        self.filters = filters
        for client in clients { await client.subscribe(to: filters) }
    }

    /// Publishes to every subscribed relay and to `alsoTo` (relays not in the pool are connected
    /// for publishing only, while fewer than `maxExtraRelays` are). A relay that is down keeps
    /// the event until it is back or the event expires.
    public func publish(_ event: NostrEvent, alsoTo extra: [String] = []) async {
        guard !stopped else { return }
        for client in clients { await client.publish(event) }
        let own = Set(configuration.relays)
        for url in Set(extra) where !own.contains(url) && Self.isRelayURL(url) {
            if let client = extraClients[url] {
                await client.publish(event)
            } else if extraClients.count < maxExtraRelays {
                let client = makeClient(url, filters: [])
                extraClients[url] = client
                await client.start()
                await client.publish(event)
            } else {
                logger.notice("not publishing to a further relay: too many relays connected", metadata: ["relay": "\(url)", "event": "\(event.id)"])
            }
        }
    }

    /// The limits every subscribed relay takes (the assumption until NIP-11 says otherwise).
    public func tightestLimits() async -> RelayLimits {
        var limits = configuration.assumedLimits
        for client in clients { limits = limits.tightest(await client.limits) }
        return limits
    }

    /// Relays subscribed right now.
    public func connectedRelays() async -> [String] {
        var urls: [String] = []
        for client in clients where await client.state == .connected { urls.append(client.url) }
        return urls
    }

    public func stop() async {
        stopped = true
        for client in clients + Array(extraClients.values) { await client.stop() }
        continuation.finish()
    }

    private func makeClient(_ url: String, filters: [NostrFilter]) -> NostrRelayClient {
        let continuation = continuation
        return NostrRelayClient(
            url: url, configuration: configuration, logger: logger,
            deliver: { event, relay in continuation.yield(Arrival(event: event, relay: relay)) }, filters: filters)
    }
}
