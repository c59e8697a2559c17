import Foundation
import Logging
import Synchronization

/// A status line kept at the bottom of a terminal (the model-loading bar) with log lines
/// scrolling above it: each log line first clears the status line, then redraws it.
final class TerminalStatusLine: Sendable {
    static let standardError = TerminalStatusLine()

    /// Whether standard error is a terminal; when it is not, nothing is drawn.
    let isTerminal = isatty(STDERR_FILENO) == 1
    private let line = Mutex<String?>(nil)

    func show(_ text: String) {
        line.withLock { current in
            current = text
            write("\r\u{1B}[K" + text)
        }
    }

    /// Leaves the last status on screen and moves below it.
    func finish() {
        line.withLock { current in
            if current != nil { write("\n") }
            current = nil
        }
    }

    fileprivate func print(_ logLine: String) {
        line.withLock { current in
            write(current == nil ? logLine : "\r\u{1B}[K" + logLine + current!)
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// swift-log's stream format, written through the status line.
    struct LogHandler: MetadataLogHandler {
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level
        let label: String
        let terminal: TerminalStatusLine

        func log(event: LogEvent) {
            let merged = merged(with: event)
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
            terminal.print("\(time) \(event.level) \(label):\(fields.isEmpty ? "" : " " + fields) [\(event.source)] \(event.message)\n")
        }
    }
}
