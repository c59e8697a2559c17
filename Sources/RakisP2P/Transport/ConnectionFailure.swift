/// A connection error in the words a person running a node reads in the health check and the
/// logs: NIO's errors nest the cause deep inside (`Connection errors: SingleConnectionFailure(…
/// Connection refused) (errno: 111))`); the cause is what matters.
package enum ConnectionFailure {
    private static let causes = [
        "connection refused", "connection reset", "network is unreachable", "no route to host", "host is down",
        "timed out", "timeout", "name or service not known", "no address associated", "temporary failure in name resolution",
        "certificate", "handshake",
    ]

    package static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        let lowered = text.lowercased()
        guard let cause = causes.first(where: lowered.contains) else { return text }
        switch cause {
        case "timeout": return "timed out"
        case "name or service not known", "no address associated", "temporary failure in name resolution": return "cannot resolve the host name"
        case "certificate", "handshake": return "TLS failed: \(text)"
        default: return cause
        }
    }
}
