import ArgumentParser
import Foundation
import RakisNode

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text with a local GGUF model or an OpenAI-compatible server.",
        discussion: """
            Streams the answer to standard output and prints the token count and tokens per second to
            standard error. Temperature 0 (the default) is greedy decoding: the same prompt gives the same
            text. Give - as the prompt to read it from standard input.

              rakis generate "Name three primes."
              rakis generate --gguf ~/models/qwen2.5-0.5b-instruct-q4_k_m.gguf --max-tokens 64 "Hello"
              rakis generate --openai http://127.0.0.1:8080 --remote-model gemma "Hello"
            """)

    @Option(help: "The installed model to run.") var model = ModelLocator.defaultLLMName
    @Option(help: ArgumentHelp("Run this GGUF file instead of an installed model.", valueName: "PATH")) var gguf: String?
    @Option(help: ArgumentHelp("Ask this OpenAI-compatible server (llama-server, Ollama, vLLM) instead.", valueName: "URL"))
    var openai: String?
    @Option(help: ArgumentHelp("The model name to ask the --openai server for.", valueName: "M")) var remoteModel: String?
    @Option(help: "Bearer token for the --openai server (default: $OPENAI_API_KEY).") var apiKey: String?
    @Option(help: "The most tokens to generate (clamped to \(LLMRequest.maxTokensLimit)).") var maxTokens = 256
    @Option(help: "Sampling temperature, 0 to \(LLMRequest.maxTemperature); 0 is greedy.") var temperature = 0.0
    @Option(help: "Seed for sampling when the temperature is above 0.") var seed: UInt32?
    @Option(help: "A system message to put before the prompt.") var system: String?
    @Option(help: "Context length in tokens (prompt plus answer) for GGUF models.") var context = 4096
    @Option(help: "llama.cpp threads (default: all cores).") var threads = ProcessInfo.processInfo.activeProcessorCount
    @OptionGroup var logging: LoggingOptions
    @Argument(help: "The prompt.") var prompt: String

    func validate() throws {
        if openai != nil && remoteModel == nil { throw ValidationError("--openai needs --remote-model, the model name the server knows") }
        if openai == nil && remoteModel != nil { throw ValidationError("--remote-model goes with --openai URL") }
        if openai != nil && gguf != nil { throw ValidationError("give either --gguf or --openai, not both") }
        guard (64...1_048_576).contains(context) else { throw ValidationError("--context must be between 64 and 1048576") }
        guard (1...512).contains(threads) else { throw ValidationError("--threads must be between 1 and 512") }
    }

    func run() async throws {
        logging.bootstrap()
        let configuration = try modelConfiguration()
        var messages: [ChatMessage] = []
        if let system { messages.append(.system(system)) }
        messages.append(.user(prompt == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : prompt))
        let request = LLMRequest(messages: messages, temperature: temperature, maxTokens: maxTokens, seed: seed)
        // Refused before the model loads, so a bad flag fails at once.
        do { _ = try request.validated() } catch { throw CLIError(error.description) }

        do {
            let completion = try await LocalGeneration.run(model: configuration, request: request) { text in
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            FileHandle.standardOutput.write(Data("\n".utf8))
            let rate = String(format: "%.1f", completion.tokensPerSecond)
            FileHandle.standardError.write(Data(
                "\(completion.tokenCount) tokens, \(rate) tokens/s (prompt \(completion.promptTokenCount) tokens, finished: \(completion.finishReason.rawValue))\n".utf8))
        } catch {
            throw CLIError(error.description)
        }
    }

    private func modelConfiguration() throws -> LLMModelConfiguration {
        if let openai {
            guard let url = URL(string: openai), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw CLIError("--openai must be an http(s) URL such as http://127.0.0.1:8080, got \(openai)")
            }
            let key = apiKey ?? ProcessInfo.processInfo.environment["OPENAI_API_KEY"]
            return LLMModelConfiguration(name: remoteModel!, source: .openAI(OpenAIEndpoint(baseURL: url, model: remoteModel!, apiKey: key)))
        }
        if let gguf {
            let name = URL(fileURLWithPath: gguf).deletingPathExtension().lastPathComponent
            return LLMModelConfiguration(name: name, source: .gguf(path: gguf), contextLength: context, threads: threads)
        }
        guard model == ModelLocator.defaultLLMName else {
            throw CLIError("no installed LLM named \"\(model)\"; the installed one is \(ModelLocator.defaultLLMName), or pass --gguf PATH or --openai URL")
        }
        guard let path = ModelLocator.defaultLLMPath() else {
            throw CLIError("the default LLM is not installed; run `make setup` in the rakis checkout (it installs the models into \(ModelLocator.userModelsDirectory.path)), set RAKIS_MODELS_DIR, or pass --gguf PATH")
        }
        return LLMModelConfiguration(name: model, source: .gguf(path: path), contextLength: context, threads: threads)
    }
}
