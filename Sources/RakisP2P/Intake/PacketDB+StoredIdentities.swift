import GRDB

extension PacketDB {
    /// Runs `body` inside a write transaction with the identities of the stored packets, read
    /// from the table first when none are held (at start, and after a write that failed). They
    /// go back when the transaction commits; a rollback leaves none, so the next write reads
    /// them again and the table stays the truth.
    nonisolated func withStoredIdentities<T>(in db: Database, _ body: (inout StoredIdentities) throws -> T) throws -> T {
        var identities = try storedIdentities.withLock { $0.take() }
            ?? StoredIdentities.load(in: db, minimumCapacity: min(settings.maxPacketDBSize + settings.packetDBPruneHysteresis, 1 << 16))
        let result = try body(&identities)
        let committed = identities
        db.afterNextTransaction(onCommit: { [self] _ in storedIdentities.withLock { $0 = committed } })
        return result
    }
}
