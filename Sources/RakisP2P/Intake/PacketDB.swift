import Foundation
import Synchronization
public import Logging
public import RakisCore

/// Packet intake, as the reference's PacketDB: received packets are queued and processed in
/// batches — after `receivePacketQueueDebounceMs` of quiet, or at once when
/// `maxReceivedPacketQueueSize` are waiting. The queue holds `maxIntakeBacklog` at most, shared
/// fairly by the sources that delivered them (`FairQueue`). A batch is parsed and verified on
/// intake's own threads, one per core (bad packets and signatures dropped; an exact copy of a
/// packet verified lately is neither parsed nor checked again), deduplicated by
/// `(synthientId, signature)`, persisted with the peer-table updates in one transaction, pruned
/// to `maxPacketDBSize`, and published as typed events. Batches are stored and published
/// strictly in order; up to `checksAhead` batches are checked while the one before them is written.
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
        var content: IntakeJob
        var deliveredThrough: String
        var receivedTime: Date
    }

    /// Envelopes verified lately, by their exact bytes.
    var recentlyVerified: RecentValues<CopyKey, TransmittedPacket>
    let workers: IntakeWorkers
    /// Packets from peers that could not be parsed (each dropped, and logged at debug level).
    nonisolated let malformed = Counter()

    /// Waiting packets, shared fairly among the sources that delivered them (`maxIntakeBacklog`).
    var backlog: FairQueue<Incoming>
    var lastArrival = Date.distantPast
    var debounceTimer: Task<Void, Never>?
    /// Process everything waiting, not only full batches: the debounce passed, or a flush asks.
    var drainRequested = false
    var flushWaiters: [CheckedContinuation<Void, Never>] = []
    /// Wakes the consumer, which processes batches strictly one after another.
    let wakeUps: AsyncStream<Void>
    let wakeConsumer: AsyncStream<Void>.Continuation
    var consumer: Task<Void, Never>?
    /// The identities of the packet table's rows, and their count, once read: taken and put
    /// back only by write transactions, which the pool runs one at a time, so they stay exact
    /// (`withStoredIdentities`).
    nonisolated let storedIdentities = Mutex<StoredIdentities?>(nil)
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
        self.backlog = FairQueue(capacity: settings.maxIntakeBacklog)
        self.recentlyVerified = RecentValues(capacity: settings.maxReceivedPacketQueueSize * 100, maxBytes: 64 << 20)
        self.workers = IntakeWorkers(count: settings.intakeThreads > 0 ? settings.intakeThreads : ProcessInfo.processInfo.activeProcessorCount)
        (wakeUps, wakeConsumer) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Receiving

    /// Queues a packet from a transport. Cheap: the work happens when the batch is processed.
    /// `from` is who handed it over (a mesh connection's peer, a relay key): the unit the
    /// backlog is shared fairly by.
    public func receive(_ envelope: PacketEnvelope, deliveredThrough: String, from: String? = nil) {
        enqueue(.envelope(envelope), deliveredThrough: deliveredThrough, from: from)
    }

    /// Queues a packet as a transport delivered it, unparsed: parsing happens with the signature
    /// check, on intake's threads. Bytes over `maxPacketBytes` are dropped as malformed at once.
    public func receive(wire bytes: [UInt8], deliveredThrough: String, from: String? = nil) {
        guard bytes.count <= settings.maxPacketBytes else {
            malformed.increment()
            logger.debug("dropped a packet over maxPacketBytes", metadata: ["transport": "\(deliveredThrough)", "bytes": "\(bytes.count)"])
            return
        }
        enqueue(.wire(bytes), deliveredThrough: deliveredThrough, from: from)
    }

    /// Queues a packet a transport already parsed and verified (`wire` is how it came, for
    /// recognizing copies through other transports).
    public func receive(verified: TransmittedPacket, wire bytes: [UInt8], deliveredThrough: String, from: String? = nil) {
        enqueue(.verified(verified, wire: bytes), deliveredThrough: deliveredThrough, from: from)
    }

    /// Packets from peers that could not be parsed.
    public nonisolated var malformedPackets: Int { malformed.value }

    private func enqueue(_ content: IntakeJob, deliveredThrough: String, from: String?) {
        guard !isShutDown else { return }
        let now = clock.now()
        let incoming = Incoming(content: content, deliveredThrough: deliveredThrough, receivedTime: now)
        if backlog.append(incoming, from: from.map { deliveredThrough + " " + $0 } ?? deliveredThrough) {
            statistics.droppedOverBacklog += 1
            if statistics.droppedOverBacklog.isMultiple(of: 1000) || statistics.droppedOverBacklog == 1 {
                logger.warning("intake is behind: dropped received packets beyond maxIntakeBacklog, the loudest sources' first", metadata: [
                    "dropped": "\(statistics.droppedOverBacklog)", "maxIntakeBacklog": "\(settings.maxIntakeBacklog)",
                ])
            }
        }
        statistics.queued += 1
        lastArrival = now
        if backlog.count >= settings.maxReceivedPacketQueueSize {
            wake()
        } else if debounceTimer == nil {
            startDebounceTimer()
        }
    }

    /// Processes everything queued so far and returns once it is stored and published.
    public func flush() async {
        guard !isShutDown else { return }
        await withCheckedContinuation { continuation in
            flushWaiters.append(continuation)
            drainRequested = true
            wake()
        }
    }

    func wake() {
        if consumer == nil {
            consumer = Task { [weak self, wakeUps] in
                for await _ in wakeUps { await self?.drain() }
            }
        }
        wakeConsumer.yield()
    }

    /// Processes the batches that are due: up to `checksAhead` are checked on the workers while
    /// the one before them is written, then each is stored and published in order. A finished
    /// drain answers the flushes waiting on it.
    func drain() async {
        repeat {
            await withTaskGroup(of: (Int, CheckedBatch).self) { checks in
                var (taken, filed) = (0, 0)
                var checked: [Int: CheckedBatch] = [:]
                while true {
                    while taken - filed <= Self.checksAhead, let batch = nextBatch() {
                        let index = taken
                        checks.addTask { (index, await self.check(batch)) }
                        taken += 1
                    }
                    guard filed < taken else { return }
                    while checked[filed] == nil, let (index, packets) = await checks.next() { checked[index] = packets }
                    await file(checked.removeValue(forKey: filed) ?? CheckedBatch())
                    filed += 1
                }
            }
        } while drainRequested && !backlog.isEmpty
        if drainRequested {
            drainRequested = false
            let waiters = flushWaiters
            flushWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }

    /// The next batch to process: a full one, or what is left when a drain was asked for; nil
    /// when nothing is due. Under load a batch takes up to `batchGrowth` times
    /// `maxReceivedPacketQueueSize` of what is waiting: packets that already wait lose nothing by
    /// it, and fewer, larger batches keep every core checking signatures.
    func nextBatch() -> [Incoming]? {
        let size = settings.maxReceivedPacketQueueSize
        guard backlog.count >= size || (drainRequested && !backlog.isEmpty) else { return nil }
        return backlog.take(min(backlog.count, size * Self.batchGrowth))
    }

    static let batchGrowth = 10
    /// Batches checked ahead of the one being written: with one, the workers idled while the
    /// actor closed a batch and opened the next; with two, the next is queued on them already.
    static let checksAhead = 2

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
        drainRequested = true
        wake()
        return true
    }

    // MARK: Transmitting

    /// Signs, stores and publishes a packet of this node's, then sends it on every transport.
    @discardableResult
    public func transmit(_ packet: Packet) async throws -> TransmittedPacket {
        let signed = try identity.sign(packet)
        let received = ReceivedPacket(transmitted: signed, receivedTime: clock.now(), deliveredThrough: nil)
        try await store.pool.write { [self] db in
            _ = try withStoredIdentities(in: db) { identities in try PacketStore.insertNew([received], identities: &identities, in: db) }
        }
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
        wakeConsumer.finish()
        await consumer?.value
        consumer = nil
        workers.stop()
        events.finish()
        feed.finish()
    }
}
