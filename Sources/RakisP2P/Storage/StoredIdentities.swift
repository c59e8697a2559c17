import GRDB

/// The identities of the packet table's rows, held in memory: intake learns that a packet is
/// new without reading the table, and the table keeps no index by identity (every index cost
/// each insert and each prune a page written at a random place). A row is known by its
/// `identityKey` (its signature's first eight bytes) and its id; a key found here is matched on
/// the whole `(synthientId, signature)` by reading that row (`PacketStore.insertNew`).
///
/// A pure value: the writer takes it out for a transaction and puts it back when the
/// transaction commits (`PacketDB.withStoredIdentities`), so it never holds a change SQLite
/// rolled back.
struct StoredIdentities: Sendable {
    /// The row of each key; a key held by more than one row (as a hostile signer could arrange
    /// with enough work) keeps the others in `sharedKeys`.
    private var rowByKey: [Int64: Int64]
    private var sharedKeys: [Int64: [Int64]] = [:]
    /// Rows in the packet table.
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        rowByKey = Dictionary(minimumCapacity: minimumCapacity)
    }

    /// Every row of the packet table, read in one pass of its rowid order.
    static func load(in db: Database, minimumCapacity: Int) throws -> StoredIdentities {
        var identities = StoredIdentities(minimumCapacity: minimumCapacity)
        let rows = try Row.fetchCursor(db, sql: "SELECT id, identityKey FROM packet")
        while let row = try rows.next() {
            identities.insert(key: row[1], row: row[0])
        }
        return identities
    }

    /// Whether a row with this key satisfies `matches`; asks only for the rows holding the key.
    func containsRow(withKey key: Int64, where matches: (Int64) throws -> Bool) rethrows -> Bool {
        guard let row = rowByKey[key] else { return false }
        if try matches(row) { return true }
        return try sharedKeys[key]?.contains(where: matches) ?? false
    }

    mutating func insert(key: Int64, row: Int64) {
        count += 1
        if rowByKey[key] == nil {
            rowByKey[key] = row
        } else {
            sharedKeys[key, default: []].append(row)
        }
    }

    mutating func remove(key: Int64, row: Int64) {
        if rowByKey[key] == row {
            if var others = sharedKeys[key], !others.isEmpty {
                rowByKey[key] = others.removeLast()
                sharedKeys[key] = others.isEmpty ? nil : others
            } else {
                rowByKey[key] = nil
            }
        } else if var others = sharedKeys[key], let index = others.firstIndex(of: row) {
            others.remove(at: index)
            sharedKeys[key] = others.isEmpty ? nil : others
        } else {
            return
        }
        count -= 1
    }
}
