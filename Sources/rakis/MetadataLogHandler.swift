import Logging

/// The metadata half of a swift-log handler, shared by the command line's handlers.
protocol MetadataLogHandler: LogHandler {}

extension MetadataLogHandler {
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The handler's metadata with the event's on top.
    func merged(with event: LogEvent) -> Logger.Metadata {
        metadata.merging(event.metadata ?? [:]) { $1 }
    }
}
