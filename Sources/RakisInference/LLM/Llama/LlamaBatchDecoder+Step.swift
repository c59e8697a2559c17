import CLlama

/// One decode step: every generating sequence's last token, then prompt slices while the batch
/// has room, in one `llama_decode`; then each sequence with logits samples its next token.
extension LlamaBatchDecoder {
    func step() {
        for sequence in running where sequence.cancellation.isCancelled { finish(sequence, .failed(.cancelled)) }
        guard let context, var batch = currentBatch, !running.isEmpty else { return }
        batch.n_tokens = 0
        var sampled: [(LlamaSequence, Int32)] = []
        for sequence in running where !sequence.isPrompting {
            sampled.append((sequence, batch.n_tokens))
            add(&batch, sequence.lastToken, position: sequence.position, sequence: sequence.seqId, logits: true)
            sequence.position += 1
        }
        for sequence in running where sequence.isPrompting {
            let room = batchCapacity - Int(batch.n_tokens)
            guard room > 0 else { break }
            let end = min(sequence.tokens.count, sequence.prompted + room)
            for index in sequence.prompted..<end {
                let last = index == sequence.tokens.count - 1
                if last { sampled.append((sequence, batch.n_tokens)) }
                add(&batch, sequence.tokens[index], position: index, sequence: sequence.seqId, logits: last)
            }
            sequence.prompted = end
            sequence.position = end
        }
        for sequence in running { sequence.batchedWith = max(sequence.batchedWith, running.count) }
        let status = llama_decode(context, batch)
        guard status == 0 else {
            for sequence in running { finish(sequence, .failed(.decodeFailed(code: status))) }
            return
        }
        for (sequence, index) in sampled {
            if sequence.generationStart == nil { sequence.generationStart = .now }
            let token = llama_sampler_sample(sequence.sampler, context, index)
            if sequence.accept(token, model: model, contextLength: contextLength) {
                finish(sequence, .finished(sequence.completion()))
            }
        }
    }

    private func add(_ batch: inout llama_batch, _ token: llama_token, position: Int, sequence: llama_seq_id, logits: Bool) {
        let index = Int(batch.n_tokens)
        batch.token[index] = token
        batch.pos[index] = llama_pos(position)
        batch.n_seq_id[index] = 1
        batch.seq_id[index]![0] = sequence
        batch.logits[index] = logits ? 1 : 0
        batch.n_tokens += 1
    }
}
