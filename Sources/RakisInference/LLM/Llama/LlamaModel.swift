import CLlama
import Foundation

/// A GGUF model's weights, loaded once and shared by every worker of the model: llama.cpp's
/// model object is read-only after loading, and each worker has its own context.
final class LlamaModel: @unchecked Sendable {
    let path: String
    let pointer: OpaquePointer
    let vocab: OpaquePointer
    /// The Jinja chat template stored in the GGUF metadata; base models carry none.
    let chatTemplate: String?
    let trainedContextLength: Int
    let summary: String

    /// Loads `path` on the calling thread (seconds for big models), reporting progress in [0, 1].
    init(path: String, progress: @escaping (Double) -> Void) throws(LLMError) {
        try Self.checkHeader(path: path)
        LlamaBackend.ensureInitialized()
        var params = llama_model_default_params()
        params.n_gpu_layers = 0
        let box = ProgressBox(progress)
        params.progress_callback = { fraction, userData in
            Unmanaged<ProgressBox>.fromOpaque(userData!).takeUnretainedValue().report(Double(fraction))
            return true
        }
        params.progress_callback_user_data = Unmanaged.passUnretained(box).toOpaque()
        let loaded = withExtendedLifetime(box) { llama_model_load_from_file(path, params) }
        guard let loaded else { throw .modelLoadFailed(path: path) }
        self.path = path
        pointer = loaded
        vocab = llama_model_get_vocab(loaded)
        chatTemplate = llama_model_chat_template(loaded, nil).map { String(cString: $0) }
        trainedContextLength = Int(llama_model_n_ctx_train(loaded))
        var description = [CChar](repeating: 0, count: 256)
        llama_model_desc(loaded, &description, description.count)
        summary = String(decoding: description.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { llama_model_free(pointer) }

    /// Refuses files that are missing or do not start like GGUF, before llama.cpp sees them.
    private static func checkHeader(path: String) throws(LLMError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .modelFileMissing(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .notAGGUFFile(path: path, reason: "cannot be opened for reading")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 8)) ?? Data()
        guard header.count == 8, header.prefix(4) == Data("GGUF".utf8) else {
            throw .notAGGUFFile(path: path, reason: "it does not begin with the GGUF magic bytes")
        }
        let version = header.dropFirst(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        guard (2...3).contains(version) else {
            throw .notAGGUFFile(path: path, reason: "GGUF version \(version) is not supported")
        }
    }

    // MARK: Text and tokens

    func tokenize(_ text: String, parseSpecial: Bool) throws(LLMError) -> [llama_token] {
        let utf8 = Array(text.utf8)
        guard utf8.count < Int32.max / 2 else { throw .tokenizationFailed(reason: "text too long") }
        var capacity = utf8.count + 8
        while true {
            var tokens = [llama_token](repeating: 0, count: capacity)
            let count = utf8.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) {
                    llama_tokenize(vocab, $0.baseAddress, Int32($0.count), &tokens, Int32(capacity), true, parseSpecial)
                }
            }
            if count >= 0 { return Array(tokens.prefix(Int(count))) }
            guard count != Int32.min else { throw .tokenizationFailed(reason: "too many tokens") }
            capacity = Int(-count)
        }
    }

    /// The bytes of one token's text; special tokens render as nothing.
    func piece(of token: llama_token) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 64)
        var count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, false)
        if count < 0 {
            buffer = [CChar](repeating: 0, count: Int(-count))
            count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, false)
        }
        return buffer.prefix(max(0, Int(count))).map { UInt8(bitPattern: $0) }
    }

    func isEndOfGeneration(_ token: llama_token) -> Bool { llama_vocab_is_eog(vocab, token) }

    /// The prompt for `messages` and the texts that end the answer. A model's own chat
    /// template formats the chat, and the model's end-of-turn token ends it. A base model
    /// without one (such as the default Gemma 3 270M) only continues text: it is asked in a
    /// question-and-answer transcript, and its answer ends where it starts the next question.
    /// (llama.cpp's built-in Gemma turn format made that base model echo the question.)
    func formatChat(_ messages: [ChatMessage]) -> (prompt: String, stops: [String]) {
        if let chatTemplate, let prompt = Self.apply(template: chatTemplate, to: messages) { return (prompt, []) }
        let lines = messages.map { message in
            switch message.role {
            case "system": message.content
            case "assistant": "Answer: \(message.content)"
            default: "Question: \(message.content)"
            }
        }
        return (lines.joined(separator: "\n") + "\nAnswer:", ["\nQuestion:"])
    }

    private static func apply(template: String, to messages: [ChatMessage]) -> String? {
        let roles = messages.map { strdup($0.role)! }
        let contents = messages.map { strdup($0.content)! }
        defer { (roles + contents).forEach { free($0) } }
        let chat = zip(roles, contents).map { llama_chat_message(role: $0, content: $1) }
        var capacity = max(1024, messages.reduce(0) { $0 + $1.content.utf8.count } * 2 + 512)
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let written = llama_chat_apply_template(template, chat, chat.count, true, &buffer, Int32(capacity))
            guard written >= 0 else { return nil }
            if Int(written) <= capacity {
                return String(decoding: buffer.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity = Int(written) + 1
        }
    }
}

private final class ProgressBox {
    let report: (Double) -> Void
    init(_ report: @escaping (Double) -> Void) { self.report = report }
}
