/// Scaling a model's workers while the node runs (`PUT /api/workers/{kind}/{model}`).
extension RakisNode {
    public func scaleWorkers(_ kind: WorkerSnapshot.Kind, model: String, count: Int) async throws(NodeError) {
        switch kind {
        case .llm:
            guard servedModels.llms.contains(model) else { throw .unknownModel(kind: .llm, model: model, served: servedModels.llms) }
            do { try await llm.scaleLLMWorkers(model: model, count: count) } catch {
                throw .scalingFailed(model: model, reason: "\(error)")
            }
        case .embedding:
            guard servedModels.embedders.contains(model) else {
                throw .unknownModel(kind: .embedding, model: model, served: servedModels.embedders)
            }
            await embeddings.scaleEmbeddingWorkers(model: model, count: count)
        }
    }
}
