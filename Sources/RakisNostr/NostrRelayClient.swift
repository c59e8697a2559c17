import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import RakisCore
import RakisP2P

/// One relay: keeps a WebSocket to it open, subscribed to the topic, and publishes through it.
///
/// The connection is retried for as long as the client runs, with jittered exponential
/// backoff. Each new session resubscribes with `since` set to the last moment the previous one
/// was known to be receiving (less a margin for clock skew, and never further back than the
/// event lifetime), so nothing published while it was away is lost; duplicates that the overlap
/// brings are dropped by the transport. Events published while disconnected wait, until they
/// expire, and go out when the relay is back.
actor NostrRelayClient {
    enum State: Equatable, Sendable {
        case idle
        case connecting
        case connected
        case waiting(failures: Int, lastError: String)
        case stopped

        var summary: String {
            switch self {
            case .idle: "not started"
            case .connecting: "connecting"
            case .connected: "connected"
            case .waiting(let failures, let error): "\(error) (retrying, attempt \(failures))"
            case .stopped: "stopped"
            }
        }
    }

    let url: String
    let subscriptionId: String
    let configuration: NostrTransportConfiguration
    let deliver: @Sendable (NostrEvent, String) async -> Void
    let refused: @Sendable (NostrEvent, String, String) async -> Void
    let logger: Logger
    /// What the subscription asks for (their `since` set at each subscribing); none: publish only.
    var filters: [NostrFilter]
    /// What this relay takes; from its NIP-11 document once read, lowered after size refusals.
    var limits: RelayLimits
    var limitsFromDocument = false
    var limitsLowered = false
    var readingLimits = false
    var reconnectingAfterRefusal = false

    var state: State = .idle {
        didSet { if state != oldValue { stateChanged() } }
    }
    /// Told of every change of `state`, so that the transport waits on events rather than polling.
    let stateChanged: @Sendable () -> Void
    /// Whether a session has ever been subscribed (start-up waits for the first).
    var hasConnected = false
    var loop: Task<Void, Never>?
    var session: AsyncStream<String>.Continuation?
    var waiting: [NostrEvent] = []
    /// Published this session and not yet answered with OK: a rate-limited one is sent again.
    var unacknowledged = UnacknowledgedEvents()
    var flushScheduled = false
    var lastLive: Int?
    var rateLimitedUntil: ContinuousClock.Instant?
    /// Events this relay refused (rate limits included).
    var refusedEvents = 0

    init(
        url: String, configuration: NostrTransportConfiguration, logger: Logger,
        deliver: @escaping @Sendable (NostrEvent, String) async -> Void,
        refused: @escaping @Sendable (NostrEvent, String, String) async -> Void = { _, _, _ in },
        stateChanged: @escaping @Sendable () -> Void = {},
        filters: [NostrFilter]? = nil
    ) {
        self.filters = filters ?? [NostrFilter(kinds: [NostrEvent.packetKind], topic: configuration.topic, since: nil)]
        self.stateChanged = stateChanged
        self.url = url
        self.configuration = configuration
        self.deliver = deliver
        self.refused = refused
        self.limits = configuration.assumedLimits
        self.logger = logger
        self.subscriptionId = "rakis-" + String(UInt64.random(in: .min ... .max), radix: 36)
    }

    func start() {
        guard loop == nil, state != .stopped else { return }
        loop = Task { await self.runLoop() }
    }

    /// Ends the current session at once and connects again without waiting out the backoff.
    func reconnect() async {
        guard state != .stopped else { return }
        let old = loop
        loop = nil
        state = .idle
        session?.finish()
        old?.cancel()
        await old?.value
        start()
    }

    func stop() async {
        state = .stopped
        session?.finish()
        session = nil
        let running = loop
        loop = nil
        running?.cancel()
        await running?.value
    }

    /// Some relays slow a connection down for good after a refusal (nostr-relay doubles a pause
    /// after every refused event); a fresh connection starts clean. Once per session, however
    /// many events it refuses, and not awaited: this runs inside that session's reading loop.
    func reconnectAfterRefusal() {
        guard !reconnectingAfterRefusal else { return }
        reconnectingAfterRefusal = true
        Task { await self.reconnect() }
    }

    /// Replaces the subscription's filters; a connected session subscribes again at once, from
    /// the moment it was last known to be receiving.
    func subscribe(to filters: [NostrFilter]) {
        guard filters != self.filters else { return }
        self.filters = filters
        if let session, state == .connected { sendSubscription(on: session) }
    }

    /// Holds later events to tighter limits (after this relay refused one).
    func lower(to smaller: RelayLimits) {
        limits = limits.tightest(smaller)
        limitsLowered = true
    }

    func publish(_ events: [NostrEvent]) {
        for event in events { publish(event) }
    }

    /// Sends now when connected; otherwise keeps the event until the relay is back or it expires.
    /// Returns whether it went out now.
    @discardableResult
    func publish(_ event: NostrEvent) -> Bool {
        if let session, state == .connected, !isRateLimited {
            session.yield(ClientMessage.event(event).text)
            if unacknowledged.count >= configuration.maxWaitingEvents { unacknowledged = UnacknowledgedEvents() }
            unacknowledged.sent(event)
            return true
        }
        waiting.append(event)
        if waiting.count > configuration.maxWaitingEvents { waiting.removeFirst(waiting.count - configuration.maxWaitingEvents) }
        return false
    }

    /// Sends what waited once a rate-limit pause is over.
    func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        let pause = configuration.rateLimitPause
        Task { [weak self] in
            try? await Task.sleep(for: pause)
            await self?.flushWaiting()
        }
    }

    func flushWaiting() {
        flushScheduled = false
        guard state == .connected, session != nil else { return }
        if isRateLimited {
            scheduleFlush()
            return
        }
        sendWaiting()
    }

    /// Publishes what waited, less what expired meanwhile.
    func sendWaiting() {
        let now = Int(Date().timeIntervalSince1970)
        let pending = waiting.filter { event in (event.tag("expiration").flatMap(Int.init) ?? .max) > now }
        waiting = []
        for event in pending { publish(event) }
    }

    var isRateLimited: Bool {
        guard let until = rateLimitedUntil else { return false }
        if ContinuousClock.now >= until {
            rateLimitedUntil = nil
            return false
        }
        return true
    }
}
