public import Foundation

/// The stores of layer 3 over one `coordination.sqlite`.
public struct CoordinationStores: Sendable {
    public let database: CoordinationDatabase
    public let inferences: InferenceStore
    public let quorums: QuorumStore
    public let consensus: ConsensusStore
    public let retention: CoordinationRetention

    public init(directory: URL) throws {
        try self.init(database: CoordinationDatabase(directory: directory))
    }

    public init(database: CoordinationDatabase) {
        self.database = database
        inferences = InferenceStore(database: database)
        quorums = QuorumStore(database: database)
        consensus = ConsensusStore(database: database)
        retention = CoordinationRetention(database: database)
    }

    /// Waits for pending writes and closes the file; the stores cannot be used afterwards.
    public func close() throws {
        try database.pool.close()
    }
}
