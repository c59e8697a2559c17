import CLlama
import Foundation
import RakisCore

/// Continuous batching for every worker of one GGUF model: one llama.cpp context whose KV cache
/// holds a sequence per worker (each with `contextLength` cells), decoded on one thread of its
/// own. Between two decode steps it takes new requests into free sequences and retires
/// finished ones; each step puts every generating sequence's last token and the next slice of
/// the prompts being read into one `llama_batch`, then samples each sequence from its own logits.
///
/// The workers are the sequences: `addSlot()` and `removeSlot()` follow the worker count, and the
/// context is rebuilt for a new count once the sequences running have ended (requests wait
/// until then). A request's tokens depend on the batch it was decoded in only through the low
/// bits of llama.cpp's batched kernels; alone in the batch it decodes as a single sequence does.
final class LlamaBatchDecoder: @unchecked Sendable {
    let model: LlamaModel
    let modelName: String
    let contextLength: Int
    private let threads: Int
    private let loop: WorkerThread
    // Under `condition`.
    private let condition = NSCondition()
    private var waiting: [LlamaSequence] = []
    private var slots = 0
    private var stopped = false
    // The decoder thread's own.
    private(set) var context: OpaquePointer?
    private var capacity = 0
    private(set) var currentBatch: llama_batch?
    private(set) var batchCapacity = 0
    private(set) var running: [LlamaSequence] = []

    init(model: LlamaModel, modelName: String, contextLength: Int, threads: Int) {
        self.model = model
        self.modelName = modelName
        self.contextLength = max(64, contextLength)
        self.threads = max(1, threads)
        loop = WorkerThread(name: "rakis-llm-batch-\(modelName)")
        loop.submit { [self] in run() }
    }

    func addSlot() { changeSlots(by: 1) }
    func removeSlot() { changeSlots(by: -1) }

    private func changeSlots(by delta: Int) {
        condition.lock()
        slots = max(0, slots + delta)
        condition.signal()
        condition.unlock()
    }

    /// Ends the loop; requests waiting or running fail as shut down.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
        loop.stop()
    }

    /// Decodes one request, blocking the calling (worker) thread until it ends; text goes to
    /// `onText` on that thread as it is made.
    func generate(_ request: LLMRequest, cancellation: CancellationFlag, onText: (String) -> Void) throws(LLMError) -> LLMCompletion {
        let (prompt, stops) = model.formatChat(request.messages)
        let tokens = try model.tokenize(prompt, parseSpecial: true)
        guard tokens.count < contextLength else { throw .promptTooLong(tokens: tokens.count, contextLength: contextLength) }
        let sequence = LlamaSequence(request: request, cancellation: cancellation, tokens: tokens, stops: stops)
        condition.lock()
        let refused = stopped
        if !refused {
            waiting.append(sequence)
            condition.signal()
        }
        condition.unlock()
        if refused { throw .shutDown }
        switch sequence.take(onText: onText) {
        case .finished(let completion): return completion
        case .failed(let error): throw error
        }
    }

    // MARK: The decoder thread

    private func run() {
        while let admitted = nextWork() {
            for sequence in admitted { start(sequence) }
            step()
        }
        for sequence in running { finish(sequence, .failed(.shutDown)) }
        if let currentBatch { llama_batch_free(currentBatch) }
        if let context { llama_free(context) }
    }

    /// Waits until there is work; returns the requests to start now (empty while only the
    /// running ones go on), nil once stopped.
    private func nextWork() -> [LlamaSequence]? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && running.isEmpty && waiting.isEmpty { condition.wait() }
        if stopped {
            for sequence in waiting { sequence.end(.failed(.shutDown)) }
            waiting = []
            return nil
        }
        let wanted = max(1, slots)
        if running.isEmpty, wanted != capacity || context == nil {
            do { try rebuild(capacity: wanted) } catch {
                for sequence in waiting { sequence.end(.failed(error)) }
                waiting = []
                return []
            }
        }
        // A new worker count waits for the running sequences to end; until then no one starts.
        guard wanted == capacity else { return [] }
        let free = capacity - running.count
        let admitted = Array(waiting.prefix(free))
        waiting.removeFirst(admitted.count)
        return admitted
    }

    private func rebuild(capacity: Int) throws(LLMError) {
        if let currentBatch { llama_batch_free(currentBatch) }
        if let context { llama_free(context) }
        currentBatch = nil
        context = nil
        var params = llama_context_default_params()
        params.n_ctx = UInt32(contextLength * capacity)
        params.n_seq_max = UInt32(capacity)
        params.kv_unified = false
        params.n_batch = UInt32(min(512, max(64, contextLength)))
        params.n_threads = Int32(threads)
        params.n_threads_batch = Int32(threads)
        params.no_perf = true
        guard let made = llama_init_from_model(model.pointer, params) else { throw .contextCreationFailed(model: modelName) }
        context = made
        self.capacity = capacity
        batchCapacity = Int(llama_n_batch(made))
        currentBatch = llama_batch_init(Int32(batchCapacity), 0, 1)
    }

    private func start(_ sequence: LlamaSequence) {
        let used = Set(running.map(\.seqId))
        sequence.seqId = llama_seq_id((0..<Int32(capacity)).first { !used.contains($0) } ?? 0)
        sequence.sampler = LlamaSequence.makeSampler(for: sequence.request)
        running.append(sequence)
    }

    func finish(_ sequence: LlamaSequence, _ outcome: LlamaSequence.Outcome) {
        if let context { _ = llama_memory_seq_rm(llama_get_memory(context), sequence.seqId, -1, -1) }
        if let sampler = sequence.sampler { llama_sampler_free(sampler) }
        sequence.sampler = nil
        running.removeAll { $0 === sequence }
        sequence.end(outcome)
    }
}
