public import ArgumentParser
import Foundation
public import Logging
import RakisCore
import RakisServer

/// Options every command that works on a node's data directory shares.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The node's data directory.", valueName: "DIR"))
    var path: String = ProcessInfo.processInfo.environment["RAKIS_DATA_DIR"] ?? "~/.rakis"

    var directory: DataDirectory { DataDirectory(path) }
}

struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log lines as text, or as one JSON object each.")
    var logFormat: Format = .text

    init() {}

    init(logLevel: Logger.Level, format: Format = .text) {
        self.logLevel = logLevel
        self.logFormat = format
    }

    func bootstrap(alsoInto buffer: LogBuffer? = nil) {
        let level = logLevel, format = logFormat
        let terminal = TerminalStatusLine.standardError
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = StreamLogHandler.standardError(label: label)
            if format == .json {
                handler = JSONLogHandler(label: label, logLevel: level)
            } else if terminal.isTerminal {
                // On a terminal, log lines scroll above the progress bar instead of running into it.
                handler = TerminalStatusLine.LogHandler(logLevel: level, label: label, terminal: terminal)
            }
            handler.logLevel = level
            guard let buffer else { return handler }
            // The API's recent logs and the dashboard's live log see what the terminal sees.
            return MultiplexLogHandler([handler, LogBuffer.Handler(label: label, buffer: buffer, logLevel: level)])
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
