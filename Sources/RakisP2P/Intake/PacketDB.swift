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
    public internal(set) var statistics = IntakeStatistics()

    let identity: NodeIdentity
    let settings: Settings
    let transmitter: @Sendable (TransmittedPacket) async -> Void
    let clock: any NodeClock
    let random: @Sendable () -> Double
    let logger: Logger

    struct Incoming: Sendable {
        var envelope: PacketEnvelope
        var deliveredThrough: String
        var receivedTime: Date
    }

    struct Batch: Sendable {
        var items: [Incoming]
        var done: CheckedContinuation<Void, Never>?
    }

    var queue: [Incoming] = []
    var lastArrival = Date.distantPast
    var debounceTimer: Task<Void, Never>?
    let batchInput: AsyncStream<Batch>.Continuation
    let batchOutput: AsyncStream<Batch>
    var consumer: Task<Void, Never>?
    var storedCount: Int?
    var isShutDown = false

    /// - Parameters:
    ///   - transmitter: sends a signed packet out on every transport (the P2P layer's broadcast).
    ///   - clock: the node's clock, for `receivedTime` and the debounce.
    ///   - random: uniform in [0, 1), for the probabilistic peer-list answer.
    public init(
        database: P2PDatabase, identity: NodeIdentity, settings: Settings,
        transmitter: @escaping @Sendable (TransmittedPacket) async -> Void,
        clock: any NodeClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "rakis.p2p.packetdb")
    ) {
        self.store = PacketStore(pool: database.pool)
        self.peers = PeerDB(pool: database.pool, ownSynthientId: identity.synthientId, logger: logger)
        self.identity = identity
        self.settings = settings
        self.transmitter = transmitter
        self.clock = clock
        self.random = random
        self.logger = logger
        (batchOutput, batchInput) = AsyncStream.makeStream(of: Batch.self, bufferingPolicy: .unbounded)
    }

    // MARK: Receiving

    /// Queues a packet from a transport. Cheap: the work happens when the batch is processed.
    public func receive(_ envelope: PacketEnvelope, deliveredThrough: String) {
        guard !isShutDown else { return }
        queue.append(Incoming(envelope: envelope, deliveredThrough: deliveredThrough, receivedTime: clock.now()))
        statistics.queued += 1
        lastArrival = clock.now()
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

    func dispatchQueue(done: CheckedContinuation<Void, Never>?) {
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

    func startDebounceTimer() {
        let quiet = Duration.milliseconds(settings.receivePacketQueueDebounceMs)
        debounceTimer = Task { [weak self, clock] in
            while let deadline = await self?.debounceDeadline(quiet: quiet) {
                try? await clock.sleep(until: deadline)
                if await self?.debounceTimerFired(quiet: quiet) ?? true { return }
            }
        }
    }

    func debounceDeadline(quiet: Duration) -> Date { lastArrival.addingTimeInterval(quiet.seconds) }

    /// The trailing edge of the debounce: dispatch once the queue has been quiet long enough.
    func debounceTimerFired(quiet: Duration) -> Bool {
        guard clock.now() >= debounceDeadline(quiet: quiet) || Task.isCancelled else { return false }
        debounceTimer = nil
        dispatchQueue(done: nil)
        return true
    }

    // MARK: Transmitting

    /// Signs, stores and publishes a packet of this node's, then sends it on every transport.
    @discardableResult
    public func transmit(_ packet: Packet) async throws -> TransmittedPacket {
        let signed = try identity.sign(packet)
        let received = ReceivedPacket(transmitted: signed, receivedTime: clock.now(), deliveredThrough: nil)
        let inserted = try await store.pool.write { db in try PacketStore.insertNew([received], in: db) }
        storedCount = storedCount.map { $0 + inserted.count }
        statistics.transmitted += 1
        publish(received, isOwn: true)
        await transmitter(signed)
        return signed
    }

    /// The reference's probabilistic peer-list answer: when a newcomer appears, each node
    /// answers with probability `peerCommunicationCount / peers`, so about that many answer.
    func maybeTransmitPeerList() async {
        let timestamp = clock.now()
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
