public import Foundation
public import Logging
public import RakisCore

/// Packet intake, as the reference's PacketDB: received packets are queued and processed in
/// batches — after `receivePacketQueueDebounceMs` of quiet, or at once when
/// `maxReceivedPacketQueueSize` are waiting. A batch is verified (bad signatures dropped),
/// deduplicated by `(synthientId, signature)` within itself and against the database,
/// persisted with the peer-table updates in one transaction, pruned to `maxPacketDBSize`,
/// and published as typed events. Batches are processed strictly one after another.
public actor PacketDB {
    public nonisolated let store: PacketStore
    public nonisolated let peers: PeerDB
    public nonisolated let events = EventHub<PacketEvent>()
    /// Every packet stored, own and received, in the order stored: for the packet feed and metrics.
    public nonisolated let feed = EventHub<ReceivedPacket>()
    public private(set) var statistics = IntakeStatistics()

    private let identity: NodeIdentity
    private let settings: Settings
    private let transmitter: @Sendable (TransmittedPacket) async -> Void
    private let now: @Sendable () -> Date
    private let random: @Sendable () -> Double
    private let logger: Logger

    private struct Incoming: Sendable {
        var envelope: PacketEnvelope
        var deliveredThrough: String
        var receivedTime: Date
    }

    private struct Batch: Sendable {
        var items: [Incoming]
        var done: CheckedContinuation<Void, Never>?
    }

    private var queue: [Incoming] = []
    private var lastArrival = ContinuousClock.now
    private var debounceTimer: Task<Void, Never>?
    private let batchInput: AsyncStream<Batch>.Continuation
    private let batchOutput: AsyncStream<Batch>
    private var consumer: Task<Void, Never>?
    private var storedCount: Int?
    private var isShutDown = false

    /// - Parameters:
    ///   - transmitter: sends a signed packet out on every transport (the P2P layer's broadcast).
    ///   - now: the clock for `receivedTime`; injectable for tests.
    ///   - random: uniform in [0, 1), for the probabilistic peer-list answer.
    public init(
        database: P2PDatabase, identity: NodeIdentity, settings: Settings,
        transmitter: @escaping @Sendable (TransmittedPacket) async -> Void,
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "rakis.p2p.packetdb")
    ) {
        self.store = PacketStore(pool: database.pool)
        self.peers = PeerDB(pool: database.pool, ownSynthientId: identity.synthientId, logger: logger)
        self.identity = identity
        self.settings = settings
        self.transmitter = transmitter
        self.now = now
        self.random = random
        self.logger = logger
        (batchOutput, batchInput) = AsyncStream.makeStream(of: Batch.self, bufferingPolicy: .unbounded)
    }

    // MARK: Receiving

    /// Queues a packet from a transport. Cheap: the work happens when the batch is processed.
    public func receive(_ envelope: PacketEnvelope, deliveredThrough: String) {
        guard !isShutDown else { return }
        queue.append(Incoming(envelope: envelope, deliveredThrough: deliveredThrough, receivedTime: now()))
        statistics.queued += 1
        lastArrival = .now
        if queue.count >= settings.maxReceivedPacketQueueSize {
            dispatchQueue(done: nil)
        } else if debounceTimer == nil {
            startDebounceTimer()
        }
    }

    /// Processes everything queued so far and returns once it is stored and published.
    public func flush() async {
        guard !isShutDown else { return }
        await withCheckedContinuation { continuation in dispatchQueue(done: continuation) }
    }

    private func dispatchQueue(done: CheckedContinuation<Void, Never>?) {
        let items = queue
        queue = []
        if items.isEmpty && done == nil { return }
        if consumer == nil {
            // One consumer processes batches strictly in order.
            consumer = Task { [weak self, batchOutput] in
                for await batch in batchOutput {
                    await self?.ingest(batch.items)
                    batch.done?.resume()
                }
            }
        }
        batchInput.yield(Batch(items: items, done: done))
    }

    private func startDebounceTimer() {
        let quiet = Duration.milliseconds(settings.receivePacketQueueDebounceMs)
        debounceTimer = Task { [weak self] in
            while let deadline = await self?.debounceDeadline(quiet: quiet) {
                try? await Task.sleep(until: deadline, clock: .continuous)
                if await self?.debounceTimerFired(quiet: quiet) ?? true { return }
            }
        }
    }

    private func debounceDeadline(quiet: Duration) -> ContinuousClock.Instant { lastArrival + quiet }

    /// The trailing edge of the debounce: dispatch once the queue has been quiet long enough.
    private func debounceTimerFired(quiet: Duration) -> Bool {
        guard ContinuousClock.now >= lastArrival + quiet || Task.isCancelled else { return false }
        debounceTimer = nil
        dispatchQueue(done: nil)
        return true
    }

    // MARK: Processing a batch

    private func ingest(_ items: [Incoming]) async {
        guard !items.isEmpty else { return }
        let known: [String: [UInt8]]
        do {
            known = try await store.pool.read { db in try PacketStore.storedBytes(for: items.map(\.envelope), in: db) }
        } catch {
            statistics.storageFailures += 1
            logger.error("could not look up received packets", metadata: ["error": "\(error)"])
            return
        }
        let (verified, invalid) = await Self.verify(items, known: known)
        statistics.invalidSignatures += invalid
        if invalid > 0 { logger.debug("dropped packets with invalid signatures", metadata: ["count": "\(invalid)"]) }

        var seen = Set<String>()
        let unique = verified.filter { seen.insert($0.synthientId + $0.signature).inserted }

        let timestamp = now()
        let pruneThreshold = settings.maxPacketDBSize + settings.packetDBPruneHysteresis
        let keep = settings.maxPacketDBSize
        let knownCount = storedCount
        let peers = self.peers
        let outcome: (inserted: [ReceivedPacket], newPeers: Bool, total: Int, pruned: Int)
        do {
            outcome = try await store.pool.write { db in
                let inserted = try PacketStore.insertNew(unique, in: db)
                // Every verified copy counts for the peer table, so a packet that also came
                // through a second transport still adds that transport to the sender's seenOn.
                let newPeers = try peers.apply(verified, now: timestamp, in: db)
                var total = try knownCount.map { $0 + inserted.count } ?? StoredPacket.fetchCount(db)
                var pruned = 0
                if total > pruneThreshold {
                    pruned = try PacketStore.prune(keeping: keep, in: db)
                    total -= pruned
                }
                return (inserted, newPeers, total, pruned)
            }
        } catch {
            statistics.storageFailures += 1
            logger.error("could not store a batch of received packets", metadata: ["count": "\(unique.count)", "error": "\(error)"])
            return
        }
        storedCount = outcome.total
        statistics.duplicates += verified.count - outcome.inserted.count
        statistics.stored += outcome.inserted.count
        statistics.pruned += outcome.pruned
        if outcome.pruned > 0 { logger.debug("pruned old packets", metadata: ["count": "\(outcome.pruned)"]) }

        var hearts = 0
        for received in outcome.inserted {
            if case .peerHeart = received.packet {
                hearts += 1
                if hearts > settings.peerHeartLimit { continue }
            }
            publish(received, isOwn: false)
        }

        let bootSeen = outcome.inserted.contains {
            if case .peerStatusUpdate(let update) = $0.packet, case .boot = update.status { return true }
            return false
        }
        if outcome.newPeers || bootSeen { await maybeTransmitPeerList() }
    }

    /// Signature checks run off the actor so that receiving is never held up by them. A copy
    /// whose bytes equal ones already verified under the same id and signature — earlier in
    /// this batch, or stored before — is accepted without a second Ed25519 check.
    private nonisolated static func verify(_ items: [Incoming], known: [String: [UInt8]]) async -> ([ReceivedPacket], Int) {
        var verifiedBytes = known
        var verified: [ReceivedPacket] = []
        verified.reserveCapacity(items.count)
        var invalid = 0
        for item in items {
            let key = item.envelope.synthientId + item.envelope.signature
            let transmitted: TransmittedPacket
            if let bytes = verifiedBytes[key], let match = item.envelope.verify(matchingVerifiedBytes: bytes) {
                transmitted = match
            } else if let checked = try? item.envelope.verify() {
                transmitted = checked
                verifiedBytes[key] = checked.canonicalPacket
            } else {
                invalid += 1
                continue
            }
            verified.append(ReceivedPacket(transmitted: transmitted, receivedTime: item.receivedTime, deliveredThrough: item.deliveredThrough))
        }
        return (verified, invalid)
    }

    private func publish(_ received: ReceivedPacket, isOwn: Bool) {
        func delivered<Body>(_ body: Body) -> Delivered<Body> {
            Delivered(
                body: body, synthientId: received.synthientId, signature: received.signature,
                receivedTime: received.receivedTime, deliveredThrough: received.deliveredThrough, isOwn: isOwn)
        }
        feed.publish(received)
        switch received.packet {
        case .p2pInferenceRequest(let p): events.publish(.p2pInferenceRequest(delivered(p)))
        case .inferenceCommit(let p): events.publish(.inferenceCommit(delivered(p)))
        case .inferenceRevealRequest(let p):
            if p.quorum.contains(where: { $0.synthientId == identity.synthientId }) {
                events.publish(.inferenceRevealRequest(delivered(p)))
            }
        case .inferenceReveal(let p): events.publish(.inferenceReveal(delivered(p)))
        case .inferenceRevealRejected(let p): events.publish(.inferenceRevealRejected(delivered(p)))
        case .inferenceQuorumComputed(let p):
            if p.verifiedBy == received.synthientId {
                events.publish(.inferenceQuorumComputed(delivered(p)))
            } else {
                logger.debug("dropped a consensus result relayed by a node other than its author")
            }
        case .peerStatusUpdate(let p): events.publish(.peerStatusUpdate(delivered(p)))
        case .peerHeart(let p): events.publish(.peerHeart(delivered(p)))
        case .knownPeers, .peerConnectedChain, .peerInfo: break
        }
    }

    // MARK: Transmitting

    /// Signs, stores and publishes a packet of this node's, then sends it on every transport.
    @discardableResult
    public func transmit(_ packet: Packet) async throws -> TransmittedPacket {
        let signed = try identity.sign(packet)
        let received = ReceivedPacket(transmitted: signed, receivedTime: now(), deliveredThrough: nil)
        let inserted = try await store.pool.write { db in try PacketStore.insertNew([received], in: db) }
        storedCount = storedCount.map { $0 + inserted.count }
        statistics.transmitted += 1
        publish(received, isOwn: true)
        await transmitter(signed)
        return signed
    }

    /// The reference's probabilistic peer-list answer: when a newcomer appears, each node
    /// answers with probability `peerCommunicationCount / peers`, so about that many answer.
    private func maybeTransmitPeerList() async {
        let timestamp = now()
        let since = timestamp.addingTimeInterval(-Double(settings.peerListWindowMs) / 1000)
        guard let recent = try? await peers.lastPeers(since: since, limit: settings.peerListMaxCount), !recent.isEmpty else { return }
        let probability = Double(settings.peerCommunicationCount) / Double(recent.count)
        guard random() < probability else { return }
        let list = KnownPeers(
            peerList: recent.map {
                KnownPeers.Entry(
                    synthientId: $0.synthientId, identities: $0.chainIdentities, lastSeen: $0.lastSeenDate,
                    totalWorkers: $0.totalWorkers, seenOn: $0.seenOn, totalTokens: $0.totalTokens)
            },
            createdAt: timestamp)
        do {
            try await transmit(.knownPeers(list))
        } catch {
            logger.warning("could not send the peer list", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Shutdown

    /// Processes what is queued, stops intake and ends every event stream.
    public func shutdown() async {
        guard !isShutDown else { return }
        await flush()
        isShutDown = true
        debounceTimer?.cancel()
        batchInput.finish()
        await consumer?.value
        consumer = nil
        events.finish()
        feed.finish()
    }
}
