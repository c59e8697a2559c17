public import RakisCore
public import RakisP2P

/// How the mesh transport behaves; `init(settings:…)` takes it from the node's settings.
public struct MeshConfiguration: Sendable {
    /// Where to accept connections (`host`, `port`; port 0 picks a free one). Nil: dial only.
    public var listenHost: String?
    public var listenPort: Int
    /// The address to give peers instead of the one they see (behind NAT, say).
    public var advertise: String?
    /// Peers to dial at start and to keep dialing while they are away (`ws://host:port`).
    public var bootstrapPeers: [String]
    public var topic: String
    /// How many times a packet is passed on at most.
    public var hopLimit: Int
    /// How many peers each node pushes a packet it passes on to; the others get its id (`ihave`)
    /// and ask for it if they lack it. A node's own packets go to every peer.
    public var fanout: Int
    /// Connections kept at most; beyond it, new ones are refused and learned addresses not dialed.
    public var maxPeers: Int
    /// Packets (or other frames) a second per connection; a peer over it is dropped and banned.
    /// A node passes on to each peer at most half of it, so honest forwarding never trips it.
    public var messagesPerSecond: Double
    public var banDuration: Duration
    public var maxPacketBytes: Int
    public var maxFrameBytes: Int
    /// Whether to share and dial the addresses peers tell of. Off only in tests that need a fixed shape.
    public var exchangePeers = true
    public var handshakeTimeout: Duration = .seconds(10)
    public var redialBackoff = ReconnectBackoff(base: .milliseconds(250), maximum: .seconds(15))
    public var rememberedPackets = 20_000
    /// Connections from one address still without a valid hello; more are refused at the upgrade,
    /// so that one host cannot hold every slot with handshakes it never finishes.
    public var maxPendingHandshakesPerHost = 8
    /// Inbound connections one remote address may hold at once, handshakes included.
    public var maxConnectionsPerAddress = 8
    /// Identities banned from one address within `banDuration` before the address is banned too.
    public var bansBeforeAddressBan = 3
    /// Verified packets waiting for intake at most; beyond it new ones are dropped and counted.
    public var incomingCapacity = 10_000
    /// How far back a peer that (re)connects is brought up to date: every packet this node sent
    /// or passed on within the window is offered again, so that nothing sent while a connection
    /// was being set up, replaced or re-established is lost (the mesh's `since`).
    public var catchUpWindow: Duration = .seconds(300)
    /// Packets kept for catch-up at most, oldest dropped first.
    public var catchUpMaxPackets = 1000
    /// How long announcements gather before they go out in one `ihave` frame per peer.
    public var announceDelay: Duration = .milliseconds(20)
    /// How long an ask (`iwant`) may go unanswered before the next peer that announced the
    /// packet is asked.
    public var askAgainAfter: Duration = .seconds(1)
    /// Asks one peer may have outstanding; its announcements beyond them are not asked for.
    public var maxAsksPerPeer = 2048
    /// Packets kept to answer asks, at most this many and this many bytes; the oldest go first.
    public var cachedPackets = 4096
    public var cachedPacketBytes = 64 * 1024 * 1024

    public init(
        listenHost: String?, listenPort: Int, bootstrapPeers: [String], topic: String, hopLimit: Int = 8, fanout: Int = 3,
        maxPeers: Int = 16, messagesPerSecond: Double = 500, banDuration: Duration = .seconds(300), maxPacketBytes: Int = 512 * 1024
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.bootstrapPeers = bootstrapPeers
        self.topic = topic
        self.hopLimit = hopLimit
        self.fanout = fanout
        self.maxPeers = maxPeers
        self.messagesPerSecond = messagesPerSecond
        self.banDuration = banDuration
        self.maxPacketBytes = maxPacketBytes
        self.maxFrameBytes = maxPacketBytes * 2 + 64 * 1024
    }

    public init(settings: Settings, listenHost: String?, listenPort: Int, bootstrapPeers: [String], advertise: String? = nil) {
        self.init(
            listenHost: listenHost, listenPort: listenPort, bootstrapPeers: bootstrapPeers, topic: settings.topic,
            hopLimit: settings.meshHopLimit, fanout: settings.meshFanout, maxPeers: settings.meshMaxPeers,
            messagesPerSecond: Double(settings.meshMessagesPerSecond), banDuration: .milliseconds(settings.meshBanMs),
            maxPacketBytes: settings.maxPacketBytes)
        self.advertise = advertise
        self.maxConnectionsPerAddress = settings.meshMaxConnectionsPerAddress
        self.bansBeforeAddressBan = settings.meshBansBeforeAddressBan
        self.incomingCapacity = settings.maxIntakeBacklog
    }
}
