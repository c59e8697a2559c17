public import Foundation
public import GRDB
import RakisCore
import RakisNostr

/// One job as `dvm.sqlite` keeps it: whose it is, which request it became, where it stands on
/// this node, and the result event that answered it (this node's or another's).
public struct DVMJobRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "dvmJob"

    public enum Status: String, Codable, Sendable {
        /// Taken: the request is in the network.
        case processing
        /// Refused, or the network found no answer; `reason` says why.
        case error
        /// Answered with a result event.
        case success
    }

    public var jobId: String
    public var customer: String
    /// Nil for a job refused before it became a request.
    public var requestId: String?
    public var input: String
    public var status: Status
    public var reason: String?
    /// Seconds since 1970, as the job says (`created_at`) and as this node received it.
    public var createdAt: Double
    public var receivedAt: Double
    public var bid: Int?
    public var resultEventId: String?
    /// Whether this node published the result event (else another node did).
    public var answeredHere: Bool
    /// The job event itself, as JSON: the result repeats it.
    public var event: String

    public enum Columns {
        public static let status = Column(CodingKeys.status)
        public static let receivedAt = Column(CodingKeys.receivedAt)
    }

    public init(job: DVMJob, requestId: String?, status: Status, reason: String?, receivedAt: Date) {
        jobId = job.id
        customer = job.customer
        self.requestId = requestId
        input = String(job.input.prefix(2_000))
        self.status = status
        self.reason = reason
        createdAt = Double(job.event.createdAt)
        self.receivedAt = receivedAt.timeIntervalSince1970
        bid = job.bid
        resultEventId = nil
        answeredHere = false
        event = CanonicalJSON.string(of: job.event.json)
    }

    /// The job as it was published; nil when the stored event does not read back.
    public func job() -> DVMJob? {
        guard let json = try? JSONParser().parse(Array(event.utf8)), let event = try? NostrEvent(json: json) else { return nil }
        return try? DVMJob(event: event)
    }
}
