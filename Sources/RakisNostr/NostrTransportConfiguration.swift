public import RakisCore
public import RakisP2P

/// How the Nostr transport behaves; `init(settings:)` takes it from the node's settings.
public struct NostrTransportConfiguration: Sendable {
    public var relays: [String]
    public var topic: String
    public var eventLifetimeSeconds: Int
    /// Taken off the resubscription's `since`, for clock differences between node and relay.
    public var resubscribeOverlapSeconds = 10
    /// The largest relay message read; packets are bounded by `maxPacketBytes`, and an event
    /// holds one packet as an escaped JSON string.
    public var maxMessageBytes: Int
    public var maxPacketBytes: Int
    /// The limits assumed of a relay until its NIP-11 document says otherwise.
    public var assumedLimits = RelayLimits.assumed
    /// Events kept for a relay that is down, oldest dropped first.
    public var maxWaitingEvents = 1000
    public var backoff = ReconnectBackoff()
    public var rateLimitPause: Duration = .seconds(5)
    /// Event ids remembered to drop the copies that several relays (or a resubscription) deliver.
    public var rememberedEventIds = 20_000

    public init(relays: [String], topic: String, eventLifetimeSeconds: Int, maxPacketBytes: Int) {
        self.relays = relays
        self.topic = topic
        self.eventLifetimeSeconds = eventLifetimeSeconds
        self.maxPacketBytes = maxPacketBytes
        self.maxMessageBytes = maxPacketBytes * 2 + 64 * 1024
    }

    public init(settings: Settings, relays: [String]? = nil) {
        self.init(
            relays: relays ?? settings.nostrRelayURLs, topic: settings.topic,
            eventLifetimeSeconds: max(10, settings.nostrEventLifetimeMs / 1000), maxPacketBytes: settings.maxPacketBytes)
    }
}
