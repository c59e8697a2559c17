import RakisCore
import Testing

@testable import RakisSimulation

struct SimulationPartsTests {
    @Test func eventsComeInOrderOfTimeAndTiesInOrderOfScheduling() {
        var queue = EventQueue<String>()
        queue.schedule("c", at: 5)
        queue.schedule("a", at: 1)
        queue.schedule("d", at: 5)
        queue.schedule("b", at: 3)
        queue.schedule("e", at: 5)
        var order: [String] = []
        while let (_, event) = queue.next() { order.append(event) }
        #expect(order == ["a", "b", "c", "d", "e"])
    }

    static func packet(from sender: Int) -> SimulatedPacket {
        let commit = InferenceCommit(requestId: "r", inferenceId: "i", bEmbeddingHash: String(repeating: "0", count: 64), createdAt: Workload.epoch)
        return SimulatedPacket(id: 1, sender: sender, synthientId: String(repeating: "a", count: 64), packet: .inferenceCommit(commit), targeted: false)
    }

    @Test func aPartitionCutsTheHalvesApartOnlyWhileItLasts() {
        var network = SimulatedNetwork(model: NetworkModel(partition: 1_000...2_000), nodes: 4, seed: 1)
        let during = network.deliveries(of: Self.packet(from: 0), from: 0, at: 1_500, to: [0, 1, 2, 3]).map(\.receiver)
        #expect(during == [0, 1])
        let after = network.deliveries(of: Self.packet(from: 0), from: 0, at: 2_001, to: [0, 1, 2, 3]).map(\.receiver)
        #expect(after == [0, 1, 2, 3])
        #expect(network.traffic[2].packetsLost == 1)
    }

    @Test func lossDropsDeliveriesButNeverTheSendersOwn() {
        var network = SimulatedNetwork(model: NetworkModel(loss: 1), nodes: 3, seed: 1)
        #expect(network.deliveries(of: Self.packet(from: 1), from: 1, at: 0, to: [0, 1, 2]).map(\.receiver) == [1])
    }

    @Test func latencyIsDrawnAroundTheMedian() {
        var network = SimulatedNetwork(model: NetworkModel(medianLatencyMs: 100, latencySpread: 0.5), nodes: 2, seed: 9)
        let delays = (0..<2_000).flatMap { _ in network.deliveries(of: Self.packet(from: 0), from: 0, at: 0, to: [1]).map(\.at) }.sorted()
        #expect((80...125).contains(delays[delays.count / 2]), "median \(delays[delays.count / 2])")
        #expect(delays.first! < delays.last!)
    }

    @Test func theBundledAnswersHoldEveryPromptWithHonestAndWrongAnswers() throws {
        let answers = try Answers.bundled()
        #expect(answers.prompts.count > 90)
        for prompt in answers.prompts {
            #expect(prompt.honest[0.0]?.count == 1, "\(prompt.text)")
            #expect(!prompt.wrong.isEmpty)
            #expect(prompt.honest.values.joined().allSatisfy { $0.bEmbedding.count == 48 })
        }
    }

    @Test func aBadConfigurationIsRefusedWithWhatToChange() {
        var configuration = SimulationConfiguration(adversaries: [.liar: 0.7, .copier: 0.4])
        #expect(configuration.problem?.contains("add up to at most 1") == true)
        configuration = SimulationConfiguration(temperature: 0.5)
        #expect(configuration.problem?.contains("temperature") == true)
        #expect(throws: SimulationError.self) { try NetworkSimulation(configuration, answers: NetworkSimulationTests.answers) }
    }
}
