import CLlama
import Foundation

/// One request being decoded in a `LlamaBatchDecoder`: its prompt, its sampler, where it stands,
/// and the text it made. The decoder's thread advances it; the worker that asked for it waits
/// for its text and its end (`take()`), so that the worker's callback runs on the worker's thread.
final class LlamaSequence: @unchecked Sendable {
    enum Outcome {
        case finished(LLMCompletion)
        case failed(LLMError)
    }

    let request: LLMRequest
    let cancellation: CancellationFlag
    let tokens: [llama_token]
    // Touched only by the decoder's thread.
    var seqId: llama_seq_id = -1
    var sampler: UnsafeMutablePointer<llama_sampler>?
    var prompted = 0
    var position = 0
    var lastToken: llama_token = 0
    var generated = 0
    var generationStart: ContinuousClock.Instant?
    var utf8 = UTF8StreamDecoder()
    var output: StopSequenceFilter
    var finishReason = LLMCompletion.FinishReason.length
    var batchedWith = 1
    // Shared with the waiting worker, under `condition`.
    private let condition = NSCondition()
    private var chunks: [String] = []
    private var outcome: Outcome?

    init(request: LLMRequest, cancellation: CancellationFlag, tokens: [llama_token], stops: [String]) {
        self.request = request
        self.cancellation = cancellation
        self.tokens = tokens
        output = StopSequenceFilter(stops: stops)
    }

    var isPrompting: Bool { prompted < tokens.count }

    /// Text for the worker to hand on.
    func emit(_ text: String) {
        guard !text.isEmpty else { return }
        condition.lock()
        chunks.append(text)
        condition.signal()
        condition.unlock()
    }

    /// Ends the sequence; the worker's wait returns.
    func end(_ result: Outcome) {
        condition.lock()
        outcome = result
        condition.signal()
        condition.unlock()
    }

    /// On the worker's thread: hands on each piece of text as it comes, returns at the end.
    func take(onText: (String) -> Void) -> Outcome {
        while true {
            condition.lock()
            while chunks.isEmpty && outcome == nil { condition.wait() }
            let ready = chunks
            chunks = []
            let ended = outcome
            condition.unlock()
            ready.forEach(onText)
            if let ended { return ended }
        }
    }

    /// Takes the sampled token; true when the sequence has ended (end of generation, a stop
    /// sequence, its token limit or the context's end).
    func accept(_ token: llama_token, model: LlamaModel, contextLength: Int) -> Bool {
        if model.isEndOfGeneration(token) {
            finishReason = .stop
            return true
        }
        generated += 1
        if output.append(utf8.append(model.piece(of: token)), emit: emit) {
            finishReason = .stop
            return true
        }
        guard generated < request.maxTokens, position + 1 < contextLength else { return true }
        lastToken = token
        return false
    }

    /// The completion of a sequence that ended on its own.
    func completion() -> LLMCompletion {
        if !output.stopped { _ = output.append(utf8.finish(), emit: emit) }
        let text = output.finish(emit: emit)
        let elapsed = generationStart.map { ContinuousClock.now - $0 } ?? .zero
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return LLMCompletion(
            text: text, tokenCount: generated, promptTokenCount: tokens.count,
            tokensPerSecond: seconds > 0 ? Double(generated) / seconds : 0, finishReason: finishReason, batchedWith: batchedWith)
    }

    /// Greedy at temperature 0, so that the same prompt always gives the same text; otherwise
    /// temperature scaling then seeded sampling from the distribution.
    static func makeSampler(for request: LLMRequest) -> UnsafeMutablePointer<llama_sampler> {
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
}
