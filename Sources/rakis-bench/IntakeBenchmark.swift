import ArgumentParser
import Foundation
import RakisCore
import RakisP2P
import Synchronization

struct IntakeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Packets parsed, verified, deduplicated and persisted per second by packet intake.",
        discussion: """
            Pin it to one core with `taskset -c 0 ... --set intakeThreads=1` to measure per-core throughput; without, intake \
            parses and verifies on a thread per core. Each round times parsing alone, then the whole intake in segments \
            with Ed25519 alone timed between them over the segment's packets, so that a round's ratio compares \
            figures taken in the same minutes; then intake of the same packets verified already. The summary is the \
            median of the rounds.
            """)

    @Option(help: "Distinct packets to send.") var packets = 20_000
    @Option(help: "Distinct senders.") var peers = 50
    @Option(help: "Times each packet is delivered, back to back as redundant transports do (copies are duplicates).") var copies = 2
    @Option(help: "Rounds, each timing every stage; the summary is their median.") var rounds = 3
    @Option(help: "Setting overrides, e.g. --set maxPacketDBSize=100000.") var set: [String] = []

    /// One round's rates, per second.
    struct Round {
        var parse: Double
        var verify: Double
        /// Ed25519 on as many threads at once as intake has.
        var verifyAllThreads: Double
        var stored: Double
        /// Packets handed over already verified (as a transport that checked them does): the
        /// cost of intake past the signature check (backlog, copies, SQLite, events).
        var storedVerified: Double
        var deliveries: Double
        /// Cores the process kept busy through the whole intake (CPU seconds over wall seconds):
        /// below the intake threads' count, some core waited.
        var busyCores: Double
        /// Deliveries a batch, on average.
        var batchSize: Double
        var pruned: Int
        var ratio: Double { stored / verify }
        /// Intake against Ed25519 on the same cores: the share of the verification bound reached.
        var boundRatio: Double { stored / verifyAllThreads }
    }

    func validate() throws {
        guard packets > 0, peers > 0, copies > 0, rounds > 0 else {
            throw ValidationError("--packets, --peers, --copies and --rounds must be positive")
        }
    }

    func run() async throws {
        let senders = (0..<peers).map { _ in NodeIdentity.generate() }
        let now = Date()
        // Ten commits a request, under ids made as nodes make them (random UUIDs: where they
        // fall in an index is random too).
        let requestIds = (0..<(packets + 9) / 10).map { _ in UUID().uuidString.lowercased() }
        let wire: [[UInt8]] = try (0..<packets).map { n in
            // Created a millisecond apart, as a stream of packets is, ending now.
            let commit = InferenceCommit(
                requestId: requestIds[n / 10], inferenceId: UUID().uuidString.lowercased(),
                bEmbeddingHash: String(repeating: "5a", count: 32), createdAt: now.addingTimeInterval(Double(n - packets) / 1000))
            return try senders[n % peers].sign(.inferenceCommit(commit)).wireBytes
        }
        var settings = try SettingsLoader.load(configFile: nil, environment: [:], assignments: set)
        settings.peerCommunicationCount = 0
        let threads = settings.intakeThreads > 0 ? settings.intakeThreads : ProcessInfo.processInfo.activeProcessorCount
        // Bursts on several threads run between the second segment and the third, and so on.
        guard threads == 1 || packets > Self.segment(settings, copies: copies) else {
            throw ValidationError("with \(threads) intake threads, --packets must exceed one segment (\(Self.segment(settings, copies: copies)) packets) so that Ed25519 is timed on all threads too")
        }
        print("intake benchmark: \(packets) packets (\(wire.map(\.count).reduce(0, +) / wire.count) bytes each) from \(peers) peers, each delivered \(copies)×, \(rounds) rounds")
        print("  maxPacketDBSize \(settings.maxPacketDBSize), packetDBPruneHysteresis \(settings.packetDBPruneHysteresis), batch \(settings.maxReceivedPacketQueueSize), intake threads \(threads)")

        var measured: [Round] = []
        for round in 1...rounds {
            let result = try await measureRound(wire, settings: settings, threads: threads)
            measured.append(result)
            print(String(format: "  round %d: parse %.0f /s, verify %.0f /s, stored %.0f /s on %.2f busy cores (%.0f /s verified already), ratio %.2f",
                         round, result.parse, result.verify, result.stored, result.busyCores, result.storedVerified, result.ratio))
        }
        func median(_ value: (Round) -> Double) -> Double { measured.map(value).sorted()[measured.count / 2] }
        func rate(_ value: Double) -> String { String(format: "%10.0f /s", value) }
        print("  median of \(rounds) rounds:")
        print("  parse + decode only        \(rate(median(\.parse)))")
        let allThreads = String(format: "%.0f /s on %d", median(\.verifyAllThreads), threads)
        print("  Ed25519 verify only        \(rate(median(\.verify)))" + (threads > 1 ? "  (one thread; \(allThreads) at once)" : ""))
        print("  full intake, unique stored \(rate(median(\.stored)))  (\(packets) stored, \(measured[0].pruned) pruned, each round)")
        print(String(format: "  busy cores through intake     %5.2f of %d intake threads, %.0f deliveries a batch", median(\.busyCores), threads, median(\.batchSize)))
        print("  full intake, deliveries    \(rate(median(\.deliveries)))  (\(packets * (copies - 1)) duplicates dropped, each round)")
        print("  intake of packets verified already \(rate(median(\.storedVerified)))  (all but parsing and Ed25519)")
        if threads > 1 {
            print(String(format: "  unique stored / Ed25519 verify on %d threads at once: %.2f (rounds %@)",
                         threads, median(\.boundRatio), measured.map { String(format: "%.2f", $0.boundRatio) }.joined(separator: ", ")))
        }
        print(String(format: "  unique stored / Ed25519 verify on one thread: %.2f (%d intake threads; rounds %@)",
                     median(\.ratio), threads, measured.map { String(format: "%.2f", $0.ratio) }.joined(separator: ", ")))
    }

    /// Parsing alone, Ed25519 alone, then the whole intake into a fresh database: wire bytes in,
    /// rows on disk (WAL), events out.
    private func measureRound(_ wire: [[UInt8]], settings: Settings, threads: Int) async throws -> Round {
        let decodeStart = ContinuousClock.now
        let envelopes = try wire.map { try PacketEnvelope.decode(wire: $0) }
        let decodeSeconds = (ContinuousClock.now - decodeStart).seconds
        // Ed25519 alone is timed in bursts between intake's segments, over the packets the segment
        // just took: both rates come from the same minutes, so a change in the machine's speed
        // moves them together. Bursts alternate between one thread and as many as intake has.
        var transmitted: [TransmittedPacket] = []
        transmitted.reserveCapacity(envelopes.count)
        var alone = VerifyBursts(), together = VerifyBursts()
        var bursts = 0
        let pipeline = try await intake(wire.map { .wire($0) }, settings: settings) { segment in
            let parallel = threads > 1 && bursts % 2 == 1
            bursts += 1
            let (checked, seconds) = try Self.verify(envelopes[segment], threads: parallel ? threads : 1)
            transmitted.append(contentsOf: checked)
            if parallel { together.add(checked.count, seconds) } else { alone.add(checked.count, seconds) }
        }
        if threads == 1 { together = alone }
        let verified = try await intake(zip(transmitted, wire).map { .verified($0, wire: $1) }, settings: settings) { _ in }
        return Round(
            parse: Double(wire.count) / decodeSeconds, verify: alone.rate, verifyAllThreads: together.rate,
            stored: Double(wire.count) / pipeline.seconds, storedVerified: Double(wire.count) / verified.seconds,
            deliveries: Double(wire.count * copies) / pipeline.seconds, busyCores: pipeline.cpuSeconds / pipeline.seconds,
            batchSize: Double(wire.count * copies) / Double(max(1, pipeline.batches)), pruned: pipeline.pruned)
    }

    /// Packets checked and seconds taken by a kind of burst.
    struct VerifyBursts {
        var packets = 0
        var seconds = 0.0
        var rate: Double { Double(packets) / seconds }

        mutating func add(_ count: Int, _ time: Double) {
            packets += count
            seconds += time
        }
    }

    /// Checks `envelopes` on `threads` threads at once; the packets in order and the seconds.
    static func verify(_ envelopes: ArraySlice<PacketEnvelope>, threads: Int) throws -> ([TransmittedPacket], Double) {
        let share = (envelopes.count + threads - 1) / threads
        let parts = Mutex([[TransmittedPacket]?](repeating: nil, count: threads))
        let start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let slice = envelopes.dropFirst(thread * share).prefix(share)
            let checked = slice.compactMap { try? $0.verify() }
            parts.withLock { $0[thread] = checked }
        }
        let seconds = (ContinuousClock.now - start).seconds
        let checked = parts.withLock { $0.flatMap { $0 ?? [] } }
        guard checked.count == envelopes.count else { throw ValidationError("a benchmark packet failed its signature check") }
        return (checked, seconds)
    }

    /// CPU time of the whole process, every thread's.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// A packet as handed to intake: wire bytes, or a packet a transport already verified.
    enum Delivery: Sendable {
        case wire([UInt8])
        case verified(TransmittedPacket, wire: [UInt8])
    }

    /// Packets delivered between two flushes: half the backlog, so that none is dropped.
    static func segment(_ settings: Settings, copies: Int) -> Int { max(1, settings.maxIntakeBacklog / 2 / copies) }

    /// What one intake stage took: wall and CPU seconds (the segments only), packets pruned.
    struct Stage {
        var seconds = 0.0
        var cpuSeconds = 0.0
        var pruned = 0
        var batches = 0

        /// Runs `work`, adding its wall and CPU seconds to the stage's.
        mutating func time(_ work: () async throws -> Void) async rethrows {
            let (start, cpuStart) = (ContinuousClock.now, IntakeBenchmark.processCPUSeconds())
            try await work()
            seconds += (ContinuousClock.now - start).seconds
            cpuSeconds += IntakeBenchmark.processCPUSeconds() - cpuStart
        }
    }

    /// The whole intake into a fresh database: packets in, rows on disk (WAL), events out, with
    /// `between` run untimed after each segment, given the segment's packets. Throws when a
    /// packet was lost or counted twice.
    private func intake(_ packets: [Delivery], settings: Settings, between: (Range<Int>) throws -> Void) async throws -> Stage {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let packetDB = PacketDB(
            database: try P2PDatabase(directory: directory), identity: .generate(), settings: settings, transmitter: { _ in })
        let events = packetDB.events.subscribe()
        let drain = Task { var count = 0; for await _ in events { count += 1 }; return count }
        var stage = try await deliver(packets, to: packetDB, rounds: Self.segment(settings, copies: copies), between: between)
        let statistics = await packetDB.statistics
        await packetDB.shutdown()
        let published = await drain.value
        guard statistics.stored == packets.count, statistics.duplicates == packets.count * (copies - 1), published == packets.count else {
            throw ValidationError("intake lost or double-counted packets: \(statistics)")
        }
        stage.pruned = statistics.pruned
        stage.batches = statistics.batches
        return stage
    }

    /// Delivers every packet `copies` times as transports deliver (unparsed or verified), `round`
    /// packets at a time with a flush after each, so that the benchmark measures intake rather
    /// than the backlog's drops; the wall and CPU seconds of the segments.
    private func deliver(
        _ packets: [Delivery], to packetDB: PacketDB, rounds round: Int, between: (Range<Int>) throws -> Void
    ) async throws -> Stage {
        var stage = Stage()
        for first in stride(from: 0, to: packets.count, by: round) {
            let segment = first..<min(packets.count, first + round)
            await stage.time {
                for packet in packets[segment] {
                    for copy in 0..<copies {
                        let transport = copy % 2 == 0 ? "memory" : "nostr"
                        switch packet {
                        case .wire(let bytes): await packetDB.receive(wire: bytes, deliveredThrough: transport)
                        case .verified(let verified, let bytes): await packetDB.receive(verified: verified, wire: bytes, deliveredThrough: transport)
                        }
                    }
                }
                await packetDB.flush()
            }
            try between(segment)
        }
        // What intake wrote that SQLite has not checkpointed yet is charged to the stage: a run
        // shorter than the checkpoint interval would leave that cost out.
        try await stage.time { try await packetDB.store.checkpoint() }
        return stage
    }
}
