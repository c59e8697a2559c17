import Foundation
import RakisCore
import RakisInference
@testable import RakisNode
import RakisTestSupport
import Testing

/// Consensus on sampled answers (temperature 1): the honest nodes' outputs differ, and whether
/// or not they fall in one cluster, every node computes the same valid set, joint hash or
/// failure from the same reveals.
@Suite(.serialized) struct SampledConsensusTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-sampled-test-\(UUID().uuidString)")
    let clock = TestClock()

    @Test func sampledAnswersGiveEveryNodeTheSameConsensus() async throws {
        let models = try NodeModels.defaults(root: LLMFixtures.packageRoot, threadsPerLLMWorker: 1, contextLength: 512)
        let devnet = LocalDevnet(root: root, settings: DevnetTests.settings, clock: clock) { _ in models }
        try await devnet.start(nodes: 3)
        try await devnet.waitUntilReady()
        defer { try? FileManager.default.removeItem(at: root) }
        let payload = InferenceRequestPayload(
            fromChain: "devnet", blockNumber: 0, createdAt: clock.now(), prompt: "Describe the ocean in one sentence.",
            acceptedModels: [ModelLocator.defaultLLMName], temperature: 1.0, maxTokens: 24,
            securityFrame: SecurityFrame(quorum: 3, maxTimeMs: 15000, secDistance: 96, secPercentage: 0.5, embeddingModel: SentenceEmbeddingModel.defaultName))
        let requestId = try await devnet.members[0].node.submit(payload)
        try await devnet.endRequest(requestId, on: clock, afterCommits: 3)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        await devnet.shutdown()

        let outputs = report.nodes.compactMap { $0.ownResult?.output }
        #expect(outputs.count == 3 && Set(outputs).count >= 2, "sampling gave the nodes different answers: \(outputs)")
        let records = report.nodes.compactMap(\.consensus)
        #expect(records.count == 3, "every node computed consensus")
        let first = try #require(records.first)
        for record in records.dropFirst() {
            #expect(record.succeeded == first.succeeded && record.failureReason == first.failureReason)
            #expect(record.validInferenceJointHash == first.validInferenceJointHash && record.selected == first.selected)
            #expect(record.details.valid.map(\.inferenceId) == first.details.valid.map(\.inferenceId))
            #expect(record.details.distances == first.details.distances, "the same distances from the same reveals")
        }
    }
}
