import Foundation
import Logging
import Synchronization

/// One JSON object per log line on standard error (`--log-format json`), for log collectors:
/// `{"time", "level", "label", "source", "message", "metadata": {...}}`.
struct JSONLogHandler: MetadataLogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level
    let label: String
    private static let output = Mutex(())

    init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
    }

    func log(event: LogEvent) {
        let merged = merged(with: event)
        let line: [String: Any] = [
            "time": Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)),
            "level": event.level.rawValue, "label": label, "source": event.source, "message": "\(event.message)",
            "metadata": merged.mapValues { "\($0)" },
        ]
        guard var data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        Self.output.withLock { _ in FileHandle.standardError.write(data) }
    }
}
