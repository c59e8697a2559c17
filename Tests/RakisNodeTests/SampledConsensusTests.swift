import Foundation
import RakisCore
import RakisInference
@testable import RakisNode
import RakisTestSupport
import Testing

/// Consensus on sampled answers (consensus version 2): every node samples with the request's
/// seed, so honest nodes write one text at any temperature, agree at the default radius, and a
/// fluent wrong answer from a minority stays out of the valid set.
@Suite(.serialized) struct SampledConsensusTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-sampled-test-\(UUID().uuidString)")
    let clock = TestClock()

    func payload(_ prompt: String, temperature: Double, quorum: Int) -> InferenceRequestPayload {
        InferenceRequestDefaults.payload(prompt: prompt, temperature: temperature, maxTokens: 24, quorum: quorum, maxTimeMs: 15000, createdAt: clock.now())
    }

    @Test func honestNodesSamplingAtTemperatureOneAgreeAtTheDefaultRadius() async throws {
        let models = try NodeModels.defaults(root: LLMFixtures.packageRoot, llmThreads: 1, contextLength: 512)
        let devnet = LocalDevnet(root: root, settings: DevnetTests.settings, clock: clock) { _ in models }
        try await devnet.start(nodes: 3)
        try await devnet.waitUntilReady()
        defer { try? FileManager.default.removeItem(at: root) }
        let requestId = try await devnet.members[0].node.submit(payload("Describe the ocean in one sentence.", temperature: 1.0, quorum: 3))
        try await devnet.endRequest(requestId, on: clock, afterCommits: 3)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        await devnet.shutdown()

        let outputs = report.nodes.compactMap { $0.ownResult?.output }
        #expect(outputs.count == 3 && Set(outputs).count == 1, "every node sampled with the request's seed: \(outputs)")
        #expect(report.agreed, "consensus at \(InferenceRequestDefaults.secDistance) bits: \(report.nodes.map { $0.consensus?.failureReason ?? "ok" })")
        Self.expectTheSameConsensus(report)
    }

    /// Three honest nodes at temperature 0.8 and one that answers, fluently, a swapped fact: the
    /// wrong answer is embedded and committed honestly, so only the distance can leave it out.
    @Test func aFluentWrongAnswerFromAMinorityIsLeftOut() async throws {
        let wrongAnswer = "The capital of France is Lyon."
        let server = try await ServerProcess.fakeOpenAI(mode: "say", text: wrongAnswer)
        defer { server.stop() }
        let honest = try NodeModels.defaults(root: LLMFixtures.packageRoot, llmThreads: 1, contextLength: 512)
        let wrong = NodeModels(
            llms: [NodeModels.LLM(LLMModelConfiguration(
                name: ModelLocator.defaultLLMName, source: .openAI(OpenAIEndpoint(baseURL: server.baseURL, model: "m"))))],
            embeddings: honest.embeddings)
        let devnet = LocalDevnet(root: root, settings: DevnetTests.settings, clock: clock) { $0 == 3 ? wrong : honest }
        try await devnet.start(nodes: 4)
        try await devnet.waitUntilReady()
        defer { try? FileManager.default.removeItem(at: root) }
        let requestId = try await devnet.members[0].node.submit(
            payload("What is the capital of France? Answer in one sentence.", temperature: 0.8, quorum: 4))
        try await devnet.endRequest(requestId, on: clock, afterCommits: 4)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        await devnet.shutdown()

        let wrongInference = try #require(report.nodes[3].ownResult)
        #expect(wrongInference.output == wrongAnswer)
        let honestOutputs = report.nodes.prefix(3).compactMap { $0.ownResult?.output }
        #expect(honestOutputs.count == 3 && Set(honestOutputs).count == 1 && honestOutputs[0] != wrongAnswer, "\(honestOutputs)")
        #expect(report.agreed, "\(report.nodes.map { $0.consensus?.failureReason ?? "ok" })")
        for node in report.nodes {
            let record = try #require(node.consensus)
            #expect(record.details.valid.count == 3 && !record.details.valid.contains { $0.inferenceId == wrongInference.inferenceId },
                    "node \(node.index) left the wrong answer out: \(record.details.distances)")
            #expect(record.selected?.output == honestOutputs.first)
        }
        Self.expectTheSameConsensus(report)
    }

    static func expectTheSameConsensus(_ report: DevnetReport) {
        let records = report.nodes.compactMap(\.consensus)
        #expect(records.count == report.nodes.count, "every node computed consensus")
        guard let first = records.first else { return }
        for record in records.dropFirst() {
            #expect(record.succeeded == first.succeeded && record.failureReason == first.failureReason)
            #expect(record.validInferenceJointHash == first.validInferenceJointHash && record.selected == first.selected)
            #expect(record.details.valid.map(\.inferenceId) == first.details.valid.map(\.inferenceId))
            #expect(record.details.distances == first.details.distances, "the same distances from the same reveals")
        }
    }
}
