import Foundation
import RakisCoordination
import RakisCore

extension SimulatedNode {
    /// Hands waiting requests to free LLM workers by the reference's rule: at random among the
    /// active requests ending within `requestSimilarityTimeWindowMs` of the latest-ending one.
    func startInferences(now: Int64, effects: inout [NodeEffect]) {
        waiting = waiting.filter { $0.value > now }
        while freeWorkers > 0, let latest = waiting.values.max() {
            let window = Int64(settings.requestSimilarityTimeWindowMs)
            let candidates = waiting.filter { $0.value >= latest - window }.keys.sorted()
            let requestId = candidates[Int(random.next() % UInt64(candidates.count))]
            waiting[requestId] = nil
            inferencesUnderWay.insert(requestId)
            inferencesRun += 1
            freeWorkers -= 1
            effects.append(.inferenceDone(requestId: requestId, at: now + inferenceMilliseconds()))
        }
    }

    /// The modelled inference time: the fixed overhead plus 12 to 47 tokens (drawn; the default
    /// maxTokens is 48) at the modelled speed.
    private func inferenceMilliseconds() -> Int64 {
        let work = workload.configuration.work
        let tokens = 12 + Int(random.next() % 36)
        return Int64((work.inferenceOverheadMs + Double(tokens) / work.tokensPerSecond * 1000).rounded())
    }

    /// The inference is done: its output (by strategy) is stored, embedded on the embedding
    /// worker, and committed to, as the result pipeline does.
    func inferenceDone(_ requestId: String, now: Int64, effects: inout [NodeEffect]) throws {
        // An inference under way when the node crashed is lost with it.
        guard inferencesUnderWay.remove(requestId) != nil else { return }
        freeWorkers += 1
        defer { startInferences(now: now, effects: &effects) }
        guard isUp, let request = try stores.request(requestId),
              let prompt = workload.promptIndex[request.payload.prompt].map({ workload.answers.prompts[$0] })
        else { return }
        let answer = output(for: prompt)
        let inferenceId = "\(synthientId.prefix(8))-\(requestId)"
        let moment = Workload.date(now)
        try stores.saveResult(InferenceStore.StoredResult(
            requestId: requestId, inferenceId: inferenceId, modelName: "simulated", output: answer.output, tokenCount: nil,
            tokensPerSecond: nil, failureReason: nil, startedAt: moment, completedAt: moment))
        let hash = BinaryEmbedding.hash(answer.bEmbedding, synthientId: synthientId)
        try stores.saveEmbedding(InferenceEmbedding(
            requestId: requestId, inferenceId: inferenceId, embedding: Workload.vector(of: answer.bEmbedding), synthientId: synthientId))
        embeddingBusyUntil = max(now, embeddingBusyUntil) + Int64(workload.configuration.work.embeddingMs.rounded())
        let commit = InferenceCommit(requestId: requestId, inferenceId: inferenceId, bEmbeddingHash: hash, createdAt: Workload.date(embeddingBusyUntil))
        guard strategy == .equivocator else {
            return effects.append(.sendLater(.inferenceCommit(commit), at: embeddingBusyUntil, to: nil))
        }
        // A second commit, to a wrong answer, for the other half of the network.
        let other = prompt.wrong[Int(random.next() % UInt64(prompt.wrong.count))]
        let second = InferenceCommit(
            requestId: requestId, inferenceId: inferenceId + "-b", bEmbeddingHash: BinaryEmbedding.hash(other.bEmbedding, synthientId: synthientId),
            createdAt: commit.createdAt)
        let nodes = workload.configuration.nodes
        effects.append(.sendLater(.inferenceCommit(commit), at: embeddingBusyUntil, to: Array(0..<nodes / 2) + [index]))
        effects.append(.sendLater(.inferenceCommit(second), at: embeddingBusyUntil, to: Array(nodes / 2..<nodes).filter { $0 != index }))
    }

    /// What this node answers: the model's answer at the request's temperature, or a wrong one.
    private func output(for prompt: Answers.Prompt) -> Answers.Answer {
        switch strategy {
        case .liar: return prompt.wrong[Int(random.next() % UInt64(prompt.wrong.count))]
        case .colluder: return prompt.wrong[0]
        default:
            let honest = prompt.honest[workload.configuration.temperature] ?? prompt.honest.values.first ?? []
            return honest[Int(random.next() % UInt64(max(1, honest.count)))]
        }
    }
}
