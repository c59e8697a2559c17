import ArgumentParser
import Foundation
import RakisNode

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a network of nodes on simulated time and print what consensus did.",
        discussion: """
            Runs the real coordination stores (SQLite in memory), quorum steps, reveal checks and cluster consensus for
            every node; inference and embeddings are modelled (timings from --tokens-per-second and --embedding-ms,
            answers and their binary embeddings from the consensus evaluation set). The same options and seed print the
            same trace hash. Adversaries: --adversary STRATEGY=SHARE, repeatable, with STRATEGY one of
            \(NodeStrategy.allCases.filter { $0 != .honest }.map(\.rawValue).joined(separator: ", ")).
            """)

    @Option(help: "Simulated nodes.") var nodes = 100
    @Option(help: "Requests, one every --interval-ms from a node drawn at random.") var requests = 10
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 1
    @Option(help: "Milliseconds between two requests.") var intervalMs = 2_000
    @Option(help: "Security frame: commits needed.") var quorum = 3
    @Option(help: "Security frame: request lifetime, milliseconds.") var maxTimeMs = 20_000
    @Option(help: "Security frame: cluster radius in bits.") var secDistance = 32.0
    @Option(help: "Security frame: share of the members one cluster must hold.") var secPercentage = 0.5
    @Option(help: "Request temperature (0, 0.3, 0.7 or 1; above 0 each honest node draws one of the model's sampled answers).")
    var temperature = 0.0
    @Option(help: "Median one-way latency, milliseconds.") var latencyMs = 80.0
    @Option(help: "Log-normal spread of the latency (0: every packet takes the median).") var latencySpread = 0.5
    @Option(help: "Chance that a delivery is lost.") var loss = 0.0
    @Option(help: "Peers per node in a sparse mesh that packets spread over by gossip (default: every node connected to every other).")
    var meshDegree: Int?
    @Option(help: "With --mesh-degree: peers a node pushes a packet it passes on to; the rest are told its id and ask for it.")
    var fanout = 3
    @Option(help: ArgumentHelp("Cut the two halves of the nodes apart between these simulated times.", valueName: "START-END ms"))
    var partition: String?
    @Option(help: "LLM speed of every node.") var tokensPerSecond = 65.0
    @Option(help: "One text through the embedding model, milliseconds.") var embeddingMs = 20.0
    @Option(help: ArgumentHelp("A share of the nodes following an attack.", valueName: "STRATEGY=SHARE")) var adversary: [String] = []
    @Option(help: "Identities each sybil commits from, per request.") var sybilIdentities = 10
    @Option(help: "Milliseconds between two requests of one spammer.") var spamIntervalMs = 1_000
    @Option(help: "Committees of about this many times the quorum answer each request (0: every node).") var committeeFactor = 0.0
    @Option(help: "Share of the nodes that crash once and restart --downtime-ms later.") var crashes = 0.0
    @Option(help: "How long a crashed node stays down, or a node that lost its network stays cut off, milliseconds.") var downtimeMs = 15_000
    @Option(help: "Share of the nodes that leave for good while the requests go on.") var leaves = 0.0
    @Option(help: "Share of the nodes that join while the requests go on.") var joins = 0.0
    @Option(help: "Share of the nodes that lose their network once for --downtime-ms while they keep running.") var outages = 0.0
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let configuration = try simulation()
        if let problem = configuration.problem { throw ValidationError(problem) }
        let started = Date()
        let report = try await NetworkSimulations.run(configuration) { simulatedMs, events in
            let line = String(format: "simulate: %d events, %.0f s simulated, %.0f s elapsed\n", events, Double(simulatedMs) / 1000, Date().timeIntervalSince(started))
            FileHandle.standardError.write(Data(line.utf8))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            report.summary.forEach { print($0) }
            print(String(format: "ran in %.1f s", Date().timeIntervalSince(started)))
        }
    }

    private func simulation() throws -> SimulationConfiguration {
        var adversaries: [NodeStrategy: Double] = [:]
        for entry in adversary {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let strategy = NodeStrategy(rawValue: String(parts[0])), strategy != .honest, let share = Double(parts[1]) else {
                throw ValidationError("--adversary takes STRATEGY=SHARE, e.g. liar=0.2, with STRATEGY one of \(NodeStrategy.allCases.filter { $0 != .honest }.map(\.rawValue).joined(separator: ", "))")
            }
            adversaries[strategy, default: 0] += share
        }
        var cut: ClosedRange<Int>?
        if let partition {
            let bounds = partition.split(separator: "-").compactMap { Int($0) }
            guard bounds.count == 2, bounds[0] <= bounds[1] else { throw ValidationError("--partition takes START-END in milliseconds, e.g. 10000-30000") }
            cut = bounds[0]...bounds[1]
        }
        var configuration = SimulationConfiguration(
            nodes: nodes, requests: requests, seed: seed, requestIntervalMs: intervalMs, quorum: quorum, maxTimeMs: maxTimeMs,
            secDistance: secDistance, secPercentage: secPercentage, temperature: temperature,
            network: NetworkModel(medianLatencyMs: latencyMs, latencySpread: latencySpread, loss: loss, partition: cut),
            work: WorkModel(tokensPerSecond: tokensPerSecond, embeddingMs: embeddingMs),
            churn: ChurnModel(crashes: crashes, downtimeMs: downtimeMs, leaves: leaves, joins: joins, outages: outages), adversaries: adversaries)
        configuration.network.meshDegree = meshDegree
        configuration.network.fanout = fanout
        configuration.sybilIdentities = sybilIdentities
        configuration.spamIntervalMs = spamIntervalMs
        configuration.committeeFactor = committeeFactor
        return configuration
    }
}
