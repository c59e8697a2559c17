import Logging
public import RakisInference

/// One generation on this machine without a node (`rakis generate`): loads one worker of the
/// model, streams the answer and unloads it again.
public enum LocalGeneration {
    /// Generates with `model`, handing each piece of text to `onText` as it comes; fails with the
    /// reason when the model cannot load or the request is invalid.
    public static func run(
        model: LLMModelConfiguration, request: LLMRequest, onText: @escaping @Sendable (String) -> Void
    ) async throws(LLMError) -> LLMCompletion {
        let engine = LLMEngine(models: [model])
        let events = await engine.events()
        do {
            try await engine.scaleLLMWorkers(model: model.name, count: 1)
            try await waitForWorker(events)
            let completion = try await engine.complete(model: model.name, request: request, onText: onText)
            await engine.shutdown()
            return completion
        } catch {
            await engine.shutdown()
            throw error
        }
    }

    private static func waitForWorker(_ events: AsyncStream<LLMEngine.Event>) async throws(LLMError) {
        for await event in events {
            switch event {
            case .workerLoaded: return
            case .workerFailed(let model, _, let reason): throw .workerFailed(model: model, reason: reason)
            default: continue
            }
        }
    }
}
