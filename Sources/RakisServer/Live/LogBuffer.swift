import Foundation
public import Logging
public import RakisCore
import Synchronization

/// The node's most recent log lines, for `GET /api/logs` and the dashboard's live log. Fed by
/// `LogBuffer.Handler`, which `rakis run` puts next to the terminal handler.
public final class LogBuffer: Sendable {
    private let entries = Mutex<[LogEntry]>([])
    private let capacity: Int
    /// Each new line as it is logged.
    public let live = EventHub<LogEntry>()

    public init(capacity: Int = 1000) { self.capacity = capacity }

    public func append(_ entry: LogEntry) {
        entries.withLock { lines in
            lines.append(entry)
            if lines.count > capacity { lines.removeFirst(lines.count - capacity) }
        }
        live.publish(entry)
    }

    /// The newest `limit` lines at or above `level`, oldest first.
    public func recent(limit: Int, minimumLevel: Logger.Level = .trace) -> [LogEntry] {
        entries.withLock { lines in
            Array(lines.filter { (Logger.Level(rawValue: $0.level) ?? .trace) >= minimumLevel }.suffix(limit))
        }
    }

    /// A swift-log handler that appends to the buffer.
    public struct Handler: LogHandler {
        public var metadata: Logger.Metadata = [:]
        public var logLevel: Logger.Level
        private let label: String
        private let buffer: LogBuffer

        public init(label: String, buffer: LogBuffer, logLevel: Logger.Level = .info) {
            self.label = label
            self.buffer = buffer
            self.logLevel = logLevel
        }

        public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        public func log(event: LogEvent) {
            var merged = metadata
            if let extra = event.metadata { merged.merge(extra) { $1 } }
            buffer.append(LogEntry(
                time: Date(), level: event.level.rawValue, label: label, message: "\(event.message)",
                metadata: merged.mapValues { "\($0)" }))
        }
    }
}
