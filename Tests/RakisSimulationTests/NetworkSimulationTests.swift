import Foundation
import RakisCore
import Testing

@testable import RakisSimulation

/// The simulation runs the real coordination and consensus code for many nodes; these check the
/// protocol's invariants on it, never timings. One at a time: each run keeps a core busy.
@Suite(.serialized) struct NetworkSimulationTests {
    static let answers: Answers = {
        do { return try Answers.bundled() } catch { fatalError("\(error)") }
    }()

    static func run(_ configuration: SimulationConfiguration) async throws -> SimulationReport {
        try await NetworkSimulation.run(configuration, answers: answers)
    }

    @Test func theSameSeedGivesTheSameTraceAndAnotherSeedAnother() async throws {
        let configuration = SimulationConfiguration(nodes: 12, requests: 3, seed: 7, network: NetworkModel(loss: 0.02))
        let first = try await Self.run(configuration)
        let again = try await Self.run(configuration)
        var other = configuration
        other.seed = 8
        let different = try await Self.run(other)
        #expect(first.traceHash == again.traceHash)
        #expect(first == again)
        #expect(different.traceHash != first.traceHash)
    }

    @Test func anHonestNetworkAgreesOnTheModelsAnswer() async throws {
        let report = try await Self.run(SimulationConfiguration(nodes: 12, requests: 4, seed: 3))
        #expect(report.requests.count == 4)
        for request in report.requests {
            #expect(request.honestAgreed == 12, "\(request.requestId): \(request.failure ?? "")")
            #expect(request.distinctOutputs == 1)
            #expect(request.correct)
        }
        #expect(report.honestRevealsRejected == 0)
        #expect(report.consensusDelayMedianMs != nil)
    }

    /// Over a sparse mesh with lazy gossip (and 2 % loss, which the asks recover from) every honest
    /// node still agrees; each node sends a packet whole to at most its fan-out, not to all its
    /// peers as flooding does.
    @Test func anHonestNetworkOnASparseMeshAgreesToo() async throws {
        var configuration = SimulationConfiguration(nodes: 40, requests: 3, seed: 5, network: NetworkModel(loss: 0.02))
        configuration.network.meshDegree = 6
        let report = try await Self.run(configuration)
        for request in report.requests {
            #expect(request.honestAgreed == 40, "\(request.requestId): \(request.failure ?? "")")
            #expect(request.correct)
        }
        #expect(report.honestRevealsRejected == 0)
        #expect(report.framesPerBroadcast >= 39 * 0.98 && report.framesPerBroadcast <= 40 * 4, "\(report.framesPerBroadcast)")
        #expect(report.announcementsPerBroadcast > 0)
    }
}
