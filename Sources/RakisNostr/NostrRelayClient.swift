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
    private let subscriptionId: String
    private let configuration: NostrTransportConfiguration
    private let deliver: @Sendable (NostrEvent, String) async -> Void
    private let refused: @Sendable (NostrEvent, String, String) async -> Void
    private let logger: Logger
    /// What this relay takes; from its NIP-11 document once read, lowered after size refusals.
    private(set) var limits: RelayLimits
    private var limitsFromDocument = false
    private var limitsLowered = false
    private var readingLimits = false
    private var reconnectingAfterRefusal = false

    private(set) var state: State = .idle {
        didSet { if state != oldValue { stateChanged() } }
    }
    /// Told of every change of `state`, so that the transport waits on events rather than polling.
    private let stateChanged: @Sendable () -> Void
    /// Whether a session has ever been subscribed (start-up waits for the first).
    private(set) var hasConnected = false
    private var loop: Task<Void, Never>?
    private var session: AsyncStream<String>.Continuation?
    private var waiting: [NostrEvent] = []
    /// Published this session and not yet answered with OK: a rate-limited one is sent again.
    private var unacknowledged = UnacknowledgedEvents()
    private var flushScheduled = false
    private var lastLive: Int?
    private var rateLimitedUntil: ContinuousClock.Instant?
    /// Events this relay refused (rate limits included).
    private(set) var refusedEvents = 0

    init(
        url: String, configuration: NostrTransportConfiguration, logger: Logger,
        deliver: @escaping @Sendable (NostrEvent, String) async -> Void,
        refused: @escaping @Sendable (NostrEvent, String, String) async -> Void = { _, _, _ in },
        stateChanged: @escaping @Sendable () -> Void = {}
    ) {
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
    private func reconnectAfterRefusal() {
        guard !reconnectingAfterRefusal else { return }
        reconnectingAfterRefusal = true
        Task { await self.reconnect() }
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
    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        let pause = configuration.rateLimitPause
        Task { [weak self] in
            try? await Task.sleep(for: pause)
            await self?.flushWaiting()
        }
    }

    private func flushWaiting() {
        flushScheduled = false
        guard state == .connected, session != nil else { return }
        if isRateLimited {
            scheduleFlush()
            return
        }
        sendWaiting()
    }

    /// Publishes what waited, less what expired meanwhile.
    private func sendWaiting() {
        let now = Int(Date().timeIntervalSince1970)
        let pending = waiting.filter { event in (event.tag("expiration").flatMap(Int.init) ?? .max) > now }
        waiting = []
        for event in pending { publish(event) }
    }

    private var isRateLimited: Bool {
        guard let until = rateLimitedUntil else { return false }
        if ContinuousClock.now >= until {
            rateLimitedUntil = nil
            return false
        }
        return true
    }

    // MARK: The connection loop

    private func runLoop() async {
        var failures = 0
        while !Task.isCancelled, state != .stopped {
            state = .connecting
            // Alongside the connection, so that a relay slow to answer HTTP does not hold it up.
            if !limitsFromDocument, !readingLimits {
                readingLimits = true
                Task { await self.readLimits() }
            }
            let opened = ContinuousClock.now
            var reason = "the relay closed the connection"
            do {
                let close = try await connectOnce()
                if let close { reason = "the relay closed the connection (\(close.closeCode))\(close.reason.map { ": \($0)" } ?? "")" }
            } catch {
                reason = ConnectionFailure.describe(error)
            }
            session?.finish()
            session = nil
            if Task.isCancelled || state == .stopped { break }
            // A session that stayed up a while was a success: start the backoff afresh.
            failures = ContinuousClock.now - opened > .seconds(30) ? 1 : failures + 1
            state = .waiting(failures: failures, lastError: reason)
            let delay = configuration.backoff.delay(afterFailures: failures, unit: Double.random(in: 0..<1))
            // The first failure in a row is news; the retries after it are not.
            logger.log(level: failures == 1 ? .warning : .debug, "Nostr relay unreachable; retrying", metadata: [
                "relay": "\(url)", "error": "\(reason)", "attempt": "\(failures)",
                "retryInMs": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
            ])
            try? await Task.sleep(for: delay)
        }
    }

    /// Takes the relay's NIP-11 limits when it states them; until then `limits` stays at the
    /// conservative assumption.
    private func readLimits() async {
        defer { readingLimits = false }
        guard let stated = await RelayLimits.fetch(relay: url, fallback: configuration.assumedLimits) else { return }
        limitsFromDocument = true
        guard stated != limits, !limitsLowered else { return }
        limits = stated
        logger.info("Nostr relay states its limits", metadata: [
            "relay": "\(url)", "maxMessageLength": "\(stated.maxMessageLength)", "maxContentLength": "\(stated.maxContentLength)",
        ])
    }

    private func connectOnce() async throws -> WebSocketCloseFrame? {
        let wsConfiguration = WebSocketClientConfiguration(
            maxFrameSize: configuration.maxMessageBytes, autoPing: .enabled(timePeriod: .seconds(20)), validateUTF8: true)
        let maxMessageBytes = configuration.maxMessageBytes
        return try await WebSocketClient.connect(url: url, configuration: wsConfiguration, logger: logger) { inbound, outbound, _ in
            let (outgoing, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
            await self.opened(continuation)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in outgoing { try await outbound.write(.text(text)) }
                    // The session was ended from our side (reconnect or stop).
                    try? await outbound.close(.goingAway, reason: nil)
                }
                for try await message in inbound.messages(maxSize: maxMessageBytes) {
                    guard case .text(let text) = message else { continue }
                    await self.received(text)
                }
                group.cancelAll()
            }
        }
    }

    /// A session is open: subscribe first, then send what waited.
    private func opened(_ continuation: AsyncStream<String>.Continuation) {
        session = continuation
        let now = Int(Date().timeIntervalSince1970)
        let oldest = now - configuration.eventLifetimeSeconds
        let since = max(oldest, (lastLive ?? now) - configuration.resubscribeOverlapSeconds)
        continuation.yield(ClientMessage.request(
            subscriptionId: subscriptionId, filter: NostrFilter(kinds: [NostrEvent.packetKind], topic: configuration.topic, since: since)).text)
        state = .connected
        hasConnected = true
        reconnectingAfterRefusal = false
        lastLive = now
        // What the last session sent but never saw acknowledged may not have arrived.
        waiting = unacknowledged.inOrder + waiting
        unacknowledged = UnacknowledgedEvents()
        logger.info("subscribed to Nostr relay", metadata: ["relay": "\(url)", "since": "\(since)", "waitingEvents": "\(waiting.count)"])
        sendWaiting()
    }

    private func received(_ text: String) async {
        lastLive = Int(Date().timeIntervalSince1970)
        let message: RelayMessage
        do {
            message = try RelayMessage(parsing: Array(text.utf8), maxBytes: configuration.maxMessageBytes)
        } catch {
            logger.debug("dropped a malformed relay message", metadata: ["relay": "\(url)", "error": "\(error)"])
            return
        }
        switch message {
        case .event(let subscription, let json):
            guard subscription == subscriptionId else { return }
            do {
                let event = try NostrEvent(json: json)
                try event.verify()
                await deliver(event, url)
            } catch {
                    logger.debug("dropped an invalid event from a relay", metadata: ["relay": "\(url)", "error": "\(error)"])
            }
        case .ok(let id, let accepted, let text):
            // nostr-relay answers a refused event with an empty id; relays answer a connection's
            // events in order, so the oldest unanswered one is that event.
            let event = id.isEmpty ? unacknowledged.oldest() : unacknowledged.answered(id)
            guard !accepted else { return }
            if text.hasPrefix("duplicate:") { return }
            refusedEvents += 1
            if text.hasPrefix("rate-limited:") {
                if rateLimitedUntil == nil {
                    logger.warning("Nostr relay is rate-limiting this node; pausing publishing to it", metadata: ["relay": "\(url)", "message": "\(text)"])
                }
                rateLimitedUntil = ContinuousClock.now + configuration.rateLimitPause
                // Sent again once the pause is over, like everything published during it.
                if let event { waiting.append(event) }
                scheduleFlush()
            } else {
                reconnectAfterRefusal()
                if let event {
                    await refused(event, text, url)
                } else {
                    logger.warning("Nostr relay refused an event", metadata: ["relay": "\(url)", "event": "\(id)", "message": "\(text)"])
                }
            }
        case .endOfStoredEvents:
            break
        case .closed(let subscription, let text):
            guard subscription == subscriptionId else { return }
            // The relay ended our subscription: reconnect (with backoff) and subscribe again.
            logger.warning("Nostr relay closed the subscription", metadata: ["relay": "\(url)", "message": "\(text)"])
            session?.finish()
        case .notice(let text):
            logger.notice("Nostr relay notice", metadata: ["relay": "\(url)", "notice": "\(text)"])
        case .auth:
            logger.notice("Nostr relay asks for NIP-42 authentication, which rakis does not do; it may refuse events", metadata: ["relay": "\(url)"])
        }
    }
}

/// Events sent in this session and not yet answered with OK, in the order they were sent.
struct UnacknowledgedEvents: Sendable {
    private var byId: [String: NostrEvent] = [:]
    private var order: [String] = []

    var count: Int { byId.count }
    var inOrder: [NostrEvent] { order.compactMap { byId[$0] } }

    mutating func sent(_ event: NostrEvent) {
        guard byId.updateValue(event, forKey: event.id) == nil else { return }
        order.append(event.id)
    }

    mutating func answered(_ id: String) -> NostrEvent? {
        guard let event = byId.removeValue(forKey: id) else { return nil }
        if order.first == id { order.removeFirst() } else { order.removeAll { $0 == id } }
        return event
    }

    mutating func oldest() -> NostrEvent? {
        while !order.isEmpty {
            if let event = byId.removeValue(forKey: order.removeFirst()) { return event }
        }
        return nil
    }
}
