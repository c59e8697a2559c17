import Foundation
import CLlama
import Logging

/// llama.cpp's process-wide set-up, done once before the first model loads: the backend, and
/// its log lines routed to swift-log (llama.cpp otherwise writes them all to stderr). Its
/// warnings are mostly remarks about model files, so they go to debug; errors stay errors.
enum LlamaBackend {
    static func ensureInitialized() { _ = initialized }

    private static let initialized: Void = {
        llama_log_set({ level, text, _ in
            guard let text else { return }
            let line = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { return }
            switch level {
            case GGML_LOG_LEVEL_ERROR: llamaLogger.error("\(line)")
            default: llamaLogger.debug("\(line)")
            }
        }, nil)
        llama_backend_init()
    }()
}

private let llamaLogger = Logger(label: "rakis.llama.cpp")
