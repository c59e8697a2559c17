public import RakisCore

/// One way of reaching other nodes (an in-memory hub, Nostr relays, a direct mesh). A node
/// runs several at once; every broadcast goes out on all of them and intake deduplicates.
///
/// Transports carry envelope bytes: parsing, verification and dedupe happen once, in intake,
/// whatever the transport. A transport that parses and verifies packets anyway (the mesh checks
/// each before passing it on) hands the verified packet along, and intake does not check it again.
public protocol P2PTransport: Sendable {
    /// The name recorded as a packet's `deliveredThrough` and in a peer's `seenOn`.
    var name: String { get }
    /// Envelope bytes as they arrive. The stream lives as long as the transport and ends on `shutdown()`.
    var incoming: AsyncStream<TransportDelivery> { get }
    /// Starts connecting and returns once connected or once the first attempts have failed;
    /// a transport that cannot reach anyone yet keeps trying in the background. Throws only
    /// what retrying cannot mend: misconfiguration (a bad URL, a listen address in use).
    func start() async throws(TransportError)
    /// Whether the transport reaches anyone right now, and what it is waiting for when not.
    func status() async -> TransportStatus
    /// Yields whenever `status()` may have changed (a connection made or lost); ends when the
    /// transport shuts down. Subscribe, then read `status()`, so that no change is missed.
    func statusChanges() -> AsyncStream<Void>
    /// Sends envelope bytes to every reachable node.
    func broadcast(_ envelope: [UInt8]) async throws(TransportError)
    /// Drops connections and connects again; `incoming` carries on. Used after repeated errors.
    func restart() async throws(TransportError)
    /// Disconnects for good and ends `incoming`.
    func shutdown() async
}

/// Bytes received by a transport, with the transport-level sender when it knows one.
public struct TransportDelivery: Sendable {
    public var bytes: [UInt8]
    public var from: String?
    /// The packet these bytes parse to, when the transport already parsed them and checked the
    /// signature (the mesh does, before passing a packet on): intake then does neither again.
    public var verified: TransmittedPacket?

    public init(bytes: [UInt8], from: String? = nil, verified: TransmittedPacket? = nil) {
        self.bytes = bytes
        self.from = from
        self.verified = verified
    }
}

/// One transport's connectivity, for the health check, the dashboard and the logs.
public struct TransportStatus: Sendable, Equatable, Codable {
    public var name: String
    public var connected: Bool
    /// What is up and what is not, e.g. "ws://a: connected; ws://b: connection refused (retrying)".
    public var detail: String
    /// What the transport counted since it started (packets received, dropped, peers banned…),
    /// by name; empty for a transport that counts nothing.
    public var counters: [String: Int]

    public init(name: String, connected: Bool, detail: String, counters: [String: Int] = [:]) {
        self.name = name
        self.connected = connected
        self.detail = detail
        self.counters = counters
    }
}

public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    case misconfigured(transport: String, reason: String)
    case notStarted(transport: String)
    case shutDown(transport: String)
    case unavailable(transport: String, reason: String)
    case sendFailed(transport: String, reason: String)

    public var description: String {
        switch self {
        case .misconfigured(let t, let reason): "transport \(t) is misconfigured: \(reason)"
        case .notStarted(let t): "transport \(t) has not been started"
        case .shutDown(let t): "transport \(t) has been shut down"
        case .unavailable(let t, let reason): "transport \(t) is unavailable: \(reason)"
        case .sendFailed(let t, let reason): "transport \(t) could not send: \(reason)"
        }
    }
}
