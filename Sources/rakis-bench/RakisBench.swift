import ArgumentParser
import Foundation
import RakisCore
import RakisInference
import RakisP2P

/// Benchmarks for the README. Run in release mode; see the Makefile's `bench` target.
@main
struct RakisBench: AsyncParsableCommand {

    static let configuration = CommandConfiguration(
        commandName: "rakis-bench", abstract: "Measure rakis components.", subcommands: [IntakeBenchmark.self, EmbeddingBenchmark.self, LLMBenchmark.self, ConsensusBenchmark.self, TransportBenchmark.self, EthereumBenchmark.self, MeshNodeCommand.self])
}

struct IntakeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Packets parsed, verified, deduplicated and persisted per second by packet intake.",
        discussion: """
            Pin it to one core with `taskset -c 0 ... --set intakeThreads=1` to measure per-core throughput; without, intake \
            parses and verifies on a thread per core.
            """)

    @Option(help: "Distinct packets to send.") var packets = 20_000
    @Option(help: "Distinct senders.") var peers = 50
    @Option(help: "Times each packet is delivered, back to back as redundant transports do (copies are duplicates).") var copies = 2
    @Option(help: "Setting overrides, e.g. --set maxPacketDBSize=100000.") var set: [String] = []

    func run() async throws {
        let senders = (0..<peers).map { _ in NodeIdentity.generate() }
        let now = Date()
        let wire: [[UInt8]] = try (0..<packets).map { n in
            let commit = InferenceCommit(
                requestId: "request-\(n / 10)", inferenceId: "inference-\(n)",
                bEmbeddingHash: String(repeating: "5a", count: 32), createdAt: now)
            return try senders[n % peers].sign(.inferenceCommit(commit)).wireBytes
        }
        let meanBytes = wire.map(\.count).reduce(0, +) / wire.count
        print("intake benchmark: \(packets) packets (\(meanBytes) bytes each) from \(peers) peers, each delivered \(copies)×")

        // Stage by stage, so the README can say where the time goes.
        let decodeStart = ContinuousClock.now
        let envelopes = try wire.map { try PacketEnvelope.decode(wire: $0) }
        let decodeSeconds = (ContinuousClock.now - decodeStart).seconds
        let verifyStart = ContinuousClock.now
        for envelope in envelopes { _ = try envelope.verify() }
        let verifySeconds = (ContinuousClock.now - verifyStart).seconds

        // The whole pipeline: wire bytes in, rows on disk (WAL), events out.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = try SettingsLoader.load(configFile: nil, environment: [:], assignments: set)
        settings.peerCommunicationCount = 0
        let threads = settings.intakeThreads > 0 ? settings.intakeThreads : ProcessInfo.processInfo.activeProcessorCount
        print("  maxPacketDBSize \(settings.maxPacketDBSize), packetDBPruneHysteresis \(settings.packetDBPruneHysteresis), batch \(settings.maxReceivedPacketQueueSize), intake threads \(threads)")
        let packetDB = PacketDB(
            database: try P2PDatabase(directory: directory), identity: .generate(), settings: settings, transmitter: { _ in })
        let events = packetDB.events.subscribe()
        let drain = Task { var count = 0; for await _ in events { count += 1 }; return count }

        let pipelineSeconds = await deliver(wire, to: packetDB, rounds: max(1, settings.maxIntakeBacklog / 2 / copies))
        let statistics = await packetDB.statistics
        await packetDB.shutdown()
        let published = await drain.value

        func rate(_ count: Int, _ seconds: Double) -> String { String(format: "%10.0f /s", Double(count) / seconds) }
        print("  parse + decode only        \(rate(packets, decodeSeconds))")
        print("  Ed25519 verify only        \(rate(packets, verifySeconds))")
        print("  full intake, unique stored \(rate(statistics.stored, pipelineSeconds))  (\(statistics.stored) stored, \(statistics.pruned) pruned)")
        print("  full intake, deliveries    \(rate(packets * copies, pipelineSeconds))  (\(statistics.duplicates) duplicates dropped, \(published) events)")
        print(String(format: "  unique stored / Ed25519 verify on one thread: %.2f (%d intake threads)",
                     (Double(statistics.stored) / pipelineSeconds) / (Double(packets) / verifySeconds), threads))
        guard statistics.stored == packets, statistics.duplicates == packets * (copies - 1), published == packets else {
            throw ValidationError("intake lost or double-counted packets: \(statistics)")
        }
    }

    /// Delivers every packet `copies` times as transports deliver (unparsed bytes), `round`
    /// packets at a time with a flush after each, so that the benchmark measures intake rather
    /// than the backlog's drops; the seconds it took.
    private func deliver(_ wire: [[UInt8]], to packetDB: PacketDB, rounds round: Int) async -> Double {
        let start = ContinuousClock.now
        for first in stride(from: 0, to: wire.count, by: round) {
            for bytes in wire[first..<min(wire.count, first + round)] {
                for copy in 0..<copies {
                    await packetDB.receive(wire: bytes, deliveredThrough: copy % 2 == 0 ? "memory" : "nostr")
                }
            }
            await packetDB.flush()
        }
        return (ContinuousClock.now - start).seconds
    }
}
