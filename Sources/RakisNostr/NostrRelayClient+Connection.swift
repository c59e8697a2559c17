import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import RakisCore
import RakisP2P

/// The connection loop: connect, read the relay's limits, subscribe, read until the connection
/// ends, then wait out the backoff and go again.
extension NostrRelayClient {
    func runLoop() async {
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
    func readLimits() async {
        defer { readingLimits = false }
        guard let stated = await RelayLimits.fetch(relay: url, fallback: configuration.assumedLimits) else { return }
        limitsFromDocument = true
        guard stated != limits, !limitsLowered else { return }
        limits = stated
        logger.info("Nostr relay states its limits", metadata: [
            "relay": "\(url)", "maxMessageLength": "\(stated.maxMessageLength)", "maxContentLength": "\(stated.maxContentLength)",
        ])
    }

    func connectOnce() async throws -> WebSocketCloseFrame? {
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
    func opened(_ continuation: AsyncStream<String>.Continuation) {
        session = continuation
        let since = sendSubscription(on: continuation)
        state = .connected
        hasConnected = true
        reconnectingAfterRefusal = false
        lastLive = Int(Date().timeIntervalSince1970)
        // What the last session sent but never saw acknowledged may not have arrived.
        waiting = unacknowledged.inOrder + waiting
        unacknowledged = UnacknowledgedEvents()
        logger.info("subscribed to Nostr relay", metadata: ["relay": "\(url)", "since": "\(since)", "waitingEvents": "\(waiting.count)"])
        sendWaiting()
    }

    /// Sends the filters with `since` at the last moment known to be receiving (less a margin for
    /// clock skew, never further back than the event lifetime); nothing when there are none. A
    /// filter's own `since` is a floor, and on the first session it is where reading starts.
    @discardableResult
    func sendSubscription(on session: AsyncStream<String>.Continuation) -> Int {
        let now = Int(Date().timeIntervalSince1970)
        let oldest = now - configuration.eventLifetimeSeconds
        let resumeFrom = lastLive.map { max(oldest, $0 - configuration.resubscribeOverlapSeconds) }
        let since = resumeFrom ?? max(oldest, now - configuration.resubscribeOverlapSeconds)
        guard !filters.isEmpty else { return since }
        let dated = filters.map { filter in
            var filter = filter
            filter.since = max(filter.since ?? since, resumeFrom ?? oldest)
            return filter
        }
        session.yield(ClientMessage.request(subscriptionId: subscriptionId, filters: dated).text)
        return since
    }

    func received(_ text: String) async {
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
