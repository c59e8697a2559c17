import Foundation
import RakisCore

/// A GGUF model run in process: weights loaded once per process (`LoadedLlamaModels`), a context
/// and an OS thread per worker.
final class LocalGGUFModel: LLMModelHandle {
    let configuration: LLMModelConfiguration
    let model: LlamaModel

    private init(configuration: LLMModelConfiguration, model: LlamaModel) {
        self.configuration = configuration
        self.model = model
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
        let thread = WorkerThread(name: name)
        let configuration = configuration
        let model = model
        let session: Result<LlamaSession, LLMError> = await withCheckedContinuation { continuation in
            thread.submit {
                continuation.resume(returning: Result { () throws(LLMError) in
                    try LlamaSession(
                        model: model, modelName: configuration.name,
                        contextLength: configuration.contextLength, threads: configuration.threadsPerWorker)
                })
            }
        }
        switch session {
        case .success(let session): return .success(LocalLLMWorker(thread: thread, session: session))
        case .failure(let error):
            thread.stop()
            return .failure(error)
        }
    }

    func close() async {}
}

/// A worker with its own llama.cpp context, generating on its own thread.
final class LocalLLMWorker: LLMWorkerRuntime {
    private let thread: WorkerThread
    private let session: SessionBox

    init(thread: WorkerThread, session: LlamaSession) {
        self.thread = thread
        self.session = SessionBox(session)
    }

    func generate(
        _ request: LLMRequest, cancellation: CancellationFlag, onText: @escaping @Sendable (String) -> Void
    ) async -> Result<LLMCompletion, LLMError> {
        let session = self.session
        return await withCheckedContinuation { continuation in
            thread.submit {
                guard let live = session.session else { return continuation.resume(returning: .failure(.shutDown)) }
                continuation.resume(returning: Result { () throws(LLMError) in
                    try live.generate(request, isCancelled: { cancellation.isCancelled }, onText: onText)
                })
            }
        }
    }

    /// Frees the context on the worker's own thread, then ends the thread.
    func stop() {
        let session = self.session
        thread.submit { session.session = nil }
        thread.stop()
    }
}

/// Holds a session that only its worker thread touches, so that it can be freed there.
private final class SessionBox: @unchecked Sendable {
    var session: LlamaSession?
    init(_ session: LlamaSession) { self.session = session }
}
