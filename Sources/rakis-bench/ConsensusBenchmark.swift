import ArgumentParser
import Foundation
import Logging
import RakisConsensus
import RakisCore
import RakisInference
import RakisNode

struct ConsensusBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consensus",
        abstract: "Consensus time for quorums of 3 to 1000 reveals, and endingAt → consensus in a 3-node devnet.",
        discussion: """
            The reference column runs the reference's clustering (Euclidean distance over the packed bytes, as
            floating point) on the same reveals in the same run, so the ratio compares the two algorithms' cost.
            """)

    @Option(help: "Quorum sizes to time.") var sizes: [Int] = [3, 10, 100, 1000]
    @Option(help: "Timed runs per size (the median is reported).") var runs = 7
    @Option(help: "3-node devnet rounds to time (0 skips the devnet).") var devnetRounds = 3

    func run() async throws {
        print("consensus benchmark: median of \(runs) runs; 384-bit binary embeddings, 80% near one centre, 20% random")
        print("  reveals    rakis (Hamming)    reference (Euclidean over bytes)    ratio")
        for size in sizes {
            let reveals = Self.reveals(count: size)
            let parameters = ConsensusParameters(requestId: "bench", quorum: size, secDistance: 48, secPercentage: 0.5, bEmbeddingThreshold: 0)
            var selected = ""
            let ours = Self.median((0..<runs).map { _ in
                Self.time {
                    let report = ClusterConsensus.compute(parameters, reveals: reveals)
                    selected = (try? report.outcome.get().validInferenceJointHash) ?? "failed"
                }
            })
            let reference = Self.median((0..<runs).map { _ in Self.time { _ = Self.referenceClusters(reveals, secDistance: 3) } })
            guard selected != "failed" else { throw ValidationError("consensus failed on the benchmark's reveals") }
            print(String(format: "  %7d    %12.3f ms    %12.3f ms                     %5.2f", size, ours * 1000, reference * 1000, ours / reference))
        }
        if devnetRounds > 0 { try await timeDevnet() }
    }

    /// Time from the request's `endingAt` to each node's stored consensus, in a real 3-node devnet.
    private func timeDevnet() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let models = try NodeModels.defaults()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-bench-devnet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let devnet = LocalDevnet(root: root, settings: Settings()) { _ in models }
        try await devnet.start(nodes: 3)
        try await devnet.waitUntilReady()
        var delays: [Double] = []
        for round in 0..<devnetRounds {
            let payload = InferenceRequestPayload(
                fromChain: "bench", blockNumber: round, createdAt: Date(), prompt: "Write one sentence about the sea.",
                acceptedModels: [ModelLocator.defaultLLMName], temperature: 0, maxTokens: 32,
                securityFrame: SecurityFrame(quorum: 3, maxTimeMs: 12000, secDistance: 96, secPercentage: 0.5, embeddingModel: SentenceEmbeddingModel.defaultName))
            let requestId = try await devnet.members[0].node.submit(payload)
            try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(120))
            let report = try await devnet.report(requestId: requestId)
            guard report.agreed else { throw ValidationError("the devnet did not agree in round \(round + 1)") }
            delays += report.nodes.compactMap { $0.consensus?.computedAt.timeIntervalSince(payload.endingAt) }
        }
        await devnet.shutdown()
        delays.sort()
        print(String(format: "3-node devnet, endingAt → consensus stored, %d rounds × 3 nodes: median %.0f ms, max %.0f ms",
                     devnetRounds, delays[delays.count / 2] * 1000, (delays.last ?? 0) * 1000))
    }

    static func reveals(count: Int) -> [RevealedInference] {
        var random = SeededRandom(seed: 42)
        func bits() -> [UInt8] { (0..<48).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        let centre = bits()
        return (0..<count).map { index in
            var own = centre
            if index % 5 == 4 {
                own = bits()
            } else {
                for _ in 0..<(Int(random.next() % 16)) { own[Int(random.next() % 48)] ^= 1 << UInt8(random.next() % 8) }
            }
            let synthientId = String(format: "%064x", index)
            return RevealedInference(
                synthientId: synthientId, inferenceId: "inference-\(index)", committedHash: BinaryEmbedding.hash(own, synthientId: synthientId),
                output: "output \(index)", bEmbedding: own, recomputedBEmbedding: own)
        }
    }

    /// The reference's cluster sizes: Euclidean distance between the packed bytes as numbers.
    static func referenceClusters(_ reveals: [RevealedInference], secDistance: Double) -> [Int] {
        let vectors = reveals.map { $0.bEmbedding.map(Double.init) }
        return vectors.map { a in
            vectors.filter { b in
                var sum = 0.0
                for index in a.indices { sum += (a[index] - b[index]) * (a[index] - b[index]) }
                return sum.squareRoot() <= secDistance
            }.count
        }
    }

    static func time(_ work: () -> Void) -> Double {
        let start = ContinuousClock.now
        work()
        return (ContinuousClock.now - start).seconds
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
