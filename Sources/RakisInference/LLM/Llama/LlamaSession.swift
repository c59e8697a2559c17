import CLlama
import Foundation

/// One worker's llama.cpp context over a shared model: its own KV cache and threads. Used only
/// on its worker's thread; it is `Sendable` so that it can be handed to that thread.
final class LlamaSession: @unchecked Sendable {
    let model: LlamaModel
    let modelName: String
    let contextLength: Int
    private let context: OpaquePointer
    private let batchSize: Int

    init(model: LlamaModel, modelName: String, contextLength: Int, threads: Int) throws(LLMError) {
        var params = llama_context_default_params()
        params.n_ctx = UInt32(max(64, contextLength))
        params.n_batch = UInt32(min(512, max(64, contextLength)))
        params.n_threads = Int32(max(1, threads))
        params.n_threads_batch = Int32(max(1, threads))
        params.no_perf = true
        guard let context = llama_init_from_model(model.pointer, params) else {
            throw .contextCreationFailed(model: modelName)
        }
        self.model = model
        self.modelName = modelName
        self.context = context
        self.contextLength = Int(llama_n_ctx(context))
        batchSize = Int(llama_n_batch(context))
    }

    deinit { llama_free(context) }

    /// Runs one request to completion on the calling thread, handing out text as it is
    /// generated. Checks `isCancelled` between prompt batches and after every token.
    func generate(
        _ request: LLMRequest, isCancelled: () -> Bool, onText: (String) -> Void
    ) throws(LLMError) -> LLMCompletion {
        let (prompt, stops) = model.formatChat(request.messages)
        var tokens = try model.tokenize(prompt, parseSpecial: true)
        guard tokens.count < contextLength else { throw .promptTooLong(tokens: tokens.count, contextLength: contextLength) }
        let promptTokenCount = tokens.count

        llama_memory_clear(llama_get_memory(context), true)
        let sampler = Self.makeSampler(for: request)
        defer { llama_sampler_free(sampler) }

        var start = 0
        while start < tokens.count {
            if isCancelled() { throw .cancelled }
            let end = min(tokens.count, start + batchSize)
            try decode(&tokens, range: start..<end)
            start = end
        }

        let generationStart = ContinuousClock.now
        var decoder = UTF8StreamDecoder()
        var output = StopSequenceFilter(stops: stops)
        var generated = 0
        var position = promptTokenCount
        var finishReason = LLMCompletion.FinishReason.length
        while generated < request.maxTokens && position < contextLength {
            if isCancelled() { throw .cancelled }
            var token = llama_sampler_sample(sampler, context, -1)
            if model.isEndOfGeneration(token) {
                finishReason = .stop
                break
            }
            generated += 1
            if output.append(decoder.append(model.piece(of: token)), emit: onText) {
                finishReason = .stop
                break
            }
            guard generated < request.maxTokens, position + 1 < contextLength else { break }
            try withUnsafeMutablePointer(to: &token) { pointer throws(LLMError) in
                let status = llama_decode(context, llama_batch_get_one(pointer, 1))
                guard status == 0 else { throw .decodeFailed(code: status) }
            }
            position += 1
        }
        if !output.stopped { _ = output.append(decoder.finish(), emit: onText) }
        let text = output.finish(emit: onText)
        let seconds = Self.seconds(ContinuousClock.now - generationStart)
        return LLMCompletion(
            text: text, tokenCount: generated, promptTokenCount: promptTokenCount,
            tokensPerSecond: seconds > 0 ? Double(generated) / seconds : 0, finishReason: finishReason)
    }

    private func decode(_ tokens: inout [llama_token], range: Range<Int>) throws(LLMError) {
        let status = tokens.withUnsafeMutableBufferPointer { buffer in
            llama_decode(context, llama_batch_get_one(buffer.baseAddress! + range.lowerBound, Int32(range.count)))
        }
        guard status == 0 else { throw .decodeFailed(code: status) }
    }

    /// Greedy at temperature 0, so that the same prompt always gives the same text; otherwise
    /// temperature scaling then seeded sampling from the distribution.
    private static func makeSampler(for request: LLMRequest) -> UnsafeMutablePointer<llama_sampler> {
        var params = llama_sampler_chain_default_params()
        params.no_perf = true
        let chain = llama_sampler_chain_init(params)!
        if request.temperature == 0 {
            llama_sampler_chain_add(chain, llama_sampler_init_greedy())
        } else {
            llama_sampler_chain_add(chain, llama_sampler_init_temp(Float(request.temperature)))
            llama_sampler_chain_add(chain, llama_sampler_init_dist(request.seed ?? UInt32.random(in: 0...UInt32.max)))
        }
        return chain
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
