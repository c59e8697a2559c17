import ArgumentParser
import Foundation
import RakisCore
import RakisNode

/// Which models `rakis run` serves, and with how many workers each.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .customLong("llm"),
        help: ArgumentHelp(
            "An LLM and its worker count (repeatable): the default \(ModelLocator.defaultLLMName)=N, a GGUF file PATH.gguf=N (named after the file), or an OpenAI-compatible server NAME@URL=N (e.g. qwen@http://127.0.0.1:8081/v1=2).",
            valueName: "MODEL=COUNT"))
    var llms: [String] = []

    @Option(
        name: .customLong("embedder"),
        help: ArgumentHelp(
            "An embedding model and its worker count (repeatable): the default \(ModelLocator.defaultEmbeddingDirectoryName)=N, or a sentence-transformers directory DIR=N. On the network a model is named with the embedding recipe version this node computes it by (\(ModelLocator.defaultEmbeddingName)).",
            valueName: "MODEL=COUNT"))
    var embedders: [String] = []

    @Flag(help: "Run without models: the node takes part in the network (stores, relays, shows packets) but infers nothing.")
    var noModels = false

    @Option(help: "LLM workers for the default model, when no --llm is given: requests served at once, decoded together in one batch (default: the llmWorkers setting, 1).")
    var llmWorkers: Int?
    @Option(help: "Threads an in-process LLM's batch decoder computes with (default: the llmThreads setting, 1).") var llmThreads: Int?
    @Option(help: "Embedding workers for the default embedding model, when no --embedder is given.") var embeddingWorkers = 1

    func validate() throws {
        guard (1...64).contains(llmWorkers ?? 1), (1...64).contains(embeddingWorkers), (1...256).contains(llmThreads ?? 1) else {
            throw ValidationError("--llm-workers and --embedding-workers must be 1 to 64, --llm-threads 1 to 256")
        }
        for spec in llms + embedders { _ = try Self.split(spec) }
        if noModels && !(llms.isEmpty && embedders.isEmpty) { throw ValidationError("--no-models cannot be combined with --llm or --embedder") }
    }

    /// The models to load, the flags before the settings; fails with what to do when a file is missing.
    func resolve(settings: Settings) throws -> NodeModels {
        guard !noModels else { return NodeModels() }
        let llmThreads = self.llmThreads ?? settings.llmThreads
        var models = NodeModels()
        if llms.isEmpty || embedders.isEmpty {
            let defaults = try NodeModels.defaults(llmThreads: llmThreads)
            if llms.isEmpty { models.llms = defaults.llms.map { NodeModels.LLM($0.configuration, workers: llmWorkers ?? settings.llmWorkers) } }
            if embedders.isEmpty { models.embeddings = defaults.embeddings.map { NodeModels.Embedding(name: $0.name, directory: $0.directory, workers: embeddingWorkers) } }
        }
        for spec in llms {
            let (model, count) = try Self.split(spec)
            models.llms.append(NodeModels.LLM(try llmConfiguration(model, threads: llmThreads), workers: count))
        }
        for spec in embedders {
            let (model, count) = try Self.split(spec)
            if model == ModelLocator.defaultEmbeddingName || model == ModelLocator.defaultEmbeddingDirectoryName {
                guard let directory = ModelLocator.defaultEmbeddingModelDirectory() else {
                    throw CLIError("the default embedding model (\(model)) is not installed; run `make setup` in the rakis checkout (it installs the models into \(ModelLocator.userModelsDirectory.path)), or set RAKIS_MODELS_DIR")
                }
                models.embeddings.append(.init(name: ModelLocator.defaultEmbeddingName, directory: directory, workers: count))
            } else {
                let directory = URL(fileURLWithPath: (model as NSString).expandingTildeInPath)
                guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path) else {
                    throw CLIError("--embedder \(spec): \(directory.path) holds no model.safetensors; give a sentence-transformers model directory or \(ModelLocator.defaultEmbeddingName)")
                }
                models.embeddings.append(.init(name: EmbeddingRecipe.networkName(of: directory.lastPathComponent), directory: directory, workers: count))
            }
        }
        let names = models.llms.map(\.configuration.name)
        if Set(names).count != names.count { throw CLIError("an LLM is named twice in --llm: \(names.joined(separator: ", "))") }
        return models
    }

    private func llmConfiguration(_ model: String, threads llmThreads: Int) throws -> LLMModelConfiguration {
        if model == ModelLocator.defaultLLMName {
            return try NodeModels.defaults(llmThreads: llmThreads).llms[0].configuration
        }
        if let at = model.firstIndex(of: "@") {
            let name = String(model[..<at]), address = String(model[model.index(after: at)...])
            guard !name.isEmpty, let url = URL(string: address), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw CLIError("--llm \(model): write an OpenAI-compatible server as NAME@http://HOST:PORT/v1")
            }
            return LLMModelConfiguration(
                name: name, source: .openAI(OpenAIEndpoint(baseURL: url, model: name, apiKey: ProcessInfo.processInfo.environment["OPENAI_API_KEY"])))
        }
        let path = (model as NSString).expandingTildeInPath
        guard path.hasSuffix(".gguf") else {
            throw CLIError("--llm \(model): unknown model; give \(ModelLocator.defaultLLMName), a path to a .gguf file, or NAME@URL of an OpenAI-compatible server")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("--llm \(model): no such file \(path)") }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return LLMModelConfiguration(name: name, source: .gguf(path: path), contextLength: 1024, threads: llmThreads)
    }

    /// `MODEL=COUNT`, split at the last `=`.
    static func split(_ spec: String) throws -> (model: String, count: Int) {
        guard let equals = spec.lastIndex(of: "="), let count = Int(spec[spec.index(after: equals)...]), (0...64).contains(count),
              equals != spec.startIndex else {
            throw ValidationError("\(spec.debugDescription): write MODEL=COUNT, with COUNT from 0 to 64")
        }
        return (String(spec[..<equals]), count)
    }
}
