/// One server-sent event: its `event:` name and its `data:` lines joined.
struct ServerSentEvent: Sendable, Equatable {
    var name: String
    var data: String
}

/// Splits a server-sent event stream into events, whatever the chunks it arrives in.
struct ServerSentEventParser {
    private var pending: [UInt8] = []
    private var name = "message"
    private var data: [String] = []

    /// The events completed by `bytes`.
    mutating func append(_ bytes: [UInt8]) -> [ServerSentEvent] {
        pending += bytes
        var events: [ServerSentEvent] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeSubrange(...newline)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty {
                if !data.isEmpty { events.append(ServerSentEvent(name: name, data: data.joined(separator: "\n"))) }
                name = "message"
                data = []
            } else if line.hasPrefix("event:") {
                name = Self.value(line.dropFirst(6))
            } else if line.hasPrefix("data:") {
                data.append(Self.value(line.dropFirst(5)))
            }
        }
        return events
    }

    private static func value(_ field: Substring) -> String {
        String(field.first == " " ? field.dropFirst() : field)
    }
}
