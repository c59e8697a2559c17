import Foundation
import RakisCore

/// A GGUF model run in process: weights loaded once per process (`LoadedLlamaModels`), and one
/// batch decoder whose sequences are the model's workers (continuous batching).
final class LocalGGUFModel: LLMModelHandle {
    let configuration: LLMModelConfiguration
    let decoder: LlamaBatchDecoder

    private init(configuration: LLMModelConfiguration, model: LlamaModel) {
        self.configuration = configuration
        decoder = LlamaBatchDecoder(
            model: model, modelName: configuration.name, contextLength: configuration.contextLength, threads: configuration.threads)
    }

    static func load(
        configuration: LLMModelConfiguration, path: String, progress: @escaping @Sendable (Double) -> Void
    ) async -> Result<LocalGGUFModel, LLMError> {
        let thread = WorkerThread(name: "rakis-llm-load-\(configuration.name)")
        defer { thread.stop() }
        return await withCheckedContinuation { continuation in
            thread.submit {
                let result = Result { () throws(LLMError) in
                    LocalGGUFModel(configuration: configuration, model: try LoadedLlamaModels.model(path: path, progress: progress))
                }
                continuation.resume(returning: result)
            }
        }
    }

    func makeWorker(name: String) async -> Result<any LLMWorkerRuntime, LLMError> {
        decoder.addSlot()
        return .success(LocalLLMWorker(thread: WorkerThread(name: name), decoder: decoder))
    }

    func close() async { decoder.stop() }
}

/// A worker of a GGUF model: one sequence of the model's batch decoder, waited for on a thread of
/// its own (so that the wait never blocks the cooperative pool).
final class LocalLLMWorker: LLMWorkerRuntime {
    private let thread: WorkerThread
    private let decoder: LlamaBatchDecoder

    init(thread: WorkerThread, decoder: LlamaBatchDecoder) {
        self.thread = thread
        self.decoder = decoder
    }

    func generate(
        _ request: LLMRequest, cancellation: CancellationFlag, onText: @escaping @Sendable (String) -> Void
    ) async -> Result<LLMCompletion, LLMError> {
        let decoder = self.decoder
        return await withCheckedContinuation { continuation in
            thread.submit {
                continuation.resume(returning: Result { () throws(LLMError) in
                    try decoder.generate(request, cancellation: cancellation, onText: onText)
                })
            }
        }
    }

    func stop() {
        decoder.removeSlot()
        thread.stop()
    }
}
