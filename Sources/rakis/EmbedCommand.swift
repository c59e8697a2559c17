import ArgumentParser
import Foundation
import RakisCore
import RakisNode

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with a local embedding model and print their binary embeddings.",
        discussion: """
            For each text prints the dimension count and bEmbedding (one bit per dimension, hex). With --json,
            prints one JSON object per line: {"bEmbedding":[…],"embedding":[…],"text":"…"}. Give - as the only
            text to read one text per line from standard input.
            """)

    @Option(help: "Embedding model name.") var model = ModelLocator.defaultEmbeddingName
    @Option(help: ArgumentHelp("A sentence-transformers model directory to use instead of the installed default.", valueName: "DIR"))
    var modelDir: String?
    @Option(help: "Embedding workers, each on its own thread.") var workers = 1
    @Option(help: "Texts per job: a job's texts share forward passes, and each gets the bits it gets alone.") var batch = 1
    @Flag(help: "Print the full vectors as JSON lines.") var json = false
    @Argument(help: "The texts to embed.") var texts: [String] = []

    func validate() throws {
        guard workers >= 1 && workers <= 64 else { throw ValidationError("--workers must be between 1 and 64") }
        guard batch >= 1 && batch <= 256 else { throw ValidationError("--batch must be between 1 and 256") }
        guard !texts.isEmpty else { throw ValidationError("give at least one text, or - to read texts from standard input") }
    }

    func run() async throws {
        LoggingOptions(logLevel: .warning).bootstrap()
        let inputs = texts == ["-"] ? readLines() : texts
        let directory: URL
        if let modelDir {
            directory = URL(fileURLWithPath: modelDir)
        } else {
            guard model == ModelLocator.defaultEmbeddingName || model == ModelLocator.defaultEmbeddingDirectoryName else {
                throw CLIError("no embedding model named \"\(model)\" is installed; the default is \(ModelLocator.defaultEmbeddingName), or pass --model-dir DIR")
            }
            guard let found = ModelLocator.defaultEmbeddingModelDirectory() else {
                throw CLIError("the default embedding model is not installed; run `make setup` in the rakis checkout (it installs the models into \(ModelLocator.userModelsDirectory.path)), or set RAKIS_MODELS_DIR")
            }
            directory = found
        }
        let vectors = try await LocalEmbedding.embed(inputs, model: model, directory: directory, workers: workers, batch: batch)
        for (text, vector) in zip(inputs, vectors) {
            let bits = BinaryEmbedding.pack(vector)
            if json {
                let object = JSONValue.object([
                    "text": .string(text),
                    "embedding": .array(vector.map { .number(Double($0)) }),
                    "bEmbedding": .array(bits.map { .number(Double($0)) }),
                ])
                print(CanonicalJSON.string(of: object))
            } else {
                print("\(vector.count) \(Hex.encode(bits))")
            }
        }
    }

    private func readLines() -> [String] {
        var lines: [String] = []
        while let line = readLine(strippingNewline: true) { lines.append(line) }
        return lines
    }
}
