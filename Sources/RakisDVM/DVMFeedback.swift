public import RakisNostr

/// NIP-90 job feedback (kind 7000): where a job stands, for its customer.
public enum DVMFeedback {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case processing
        case error
        case success
    }

    /// The feedback event for `job`: `["status", status, reason]`, the job (`e`) and its customer (`p`).
    public static func event(
        _ status: Status, reason: String?, job: DVMJob, relayHint: String?, createdAt: Int, by keys: BIP340.KeyPair
    ) throws(BIP340Error) -> NostrEvent {
        var statusTag = ["status", status.rawValue]
        if let reason { statusTag.append(reason) }
        let tags = [statusTag, ["e", job.id] + (relayHint.map { [$0] } ?? []), ["p", job.customer]]
        return try NostrEvent.signed(kind: DVMJob.feedbackKind, tags: tags, content: reason ?? "", createdAt: createdAt, by: keys)
    }

    /// The status a feedback event gives, when it is one for `jobId`.
    public static func status(of event: NostrEvent, jobId: String) -> Status? {
        guard event.kind == DVMJob.feedbackKind, event.tag("e") == jobId else { return nil }
        return event.tag("status").flatMap(Status.init(rawValue:))
    }
}
