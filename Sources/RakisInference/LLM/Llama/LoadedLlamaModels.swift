import Foundation
import Synchronization

/// The GGUF models loaded in this process, so that engines that run the same file at the same
/// time share one copy of its weights and vocabulary: `rakis devnet` runs several nodes in one
/// process, and loading Gemma's 262k-token vocabulary alone takes most of a second.
///
/// A model stays loaded while an engine holds it; the registry keeps only weak references. The
/// file's size and modification time are part of the key, so a replaced file is loaded afresh.
enum LoadedLlamaModels {
    private struct Key: Hashable {
        let path: String
        let size: UInt64
        let modified: Date
    }

    private final class WeakModel {
        weak var model: LlamaModel?
        init(_ model: LlamaModel) { self.model = model }
    }

    /// Held while loading too, so that two engines asking for one file at once load it once.
    private static let models = Mutex<[Key: WeakModel]>([:])

    /// The loaded model of `path`, loading it on the calling thread if no engine holds it.
    static func model(path: String, progress: @escaping (Double) -> Void) throws(LLMError) -> LlamaModel {
        guard let key = key(path) else { return try LlamaModel(path: path, progress: progress) }
        return try models.withLock { entries throws(LLMError) -> LlamaModel in
            if let shared = entries[key]?.model {
                progress(1)
                return shared
            }
            let model = try LlamaModel(path: path, progress: progress)
            entries = entries.filter { $0.value.model != nil }
            entries[key] = WeakModel(model)
            return model
        }
    }

    private static func key(_ path: String) -> Key? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.uint64Value,
              let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return Key(path: URL(fileURLWithPath: path).standardizedFileURL.path, size: size, modified: modified)
    }
}
