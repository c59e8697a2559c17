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
