public import Foundation
import GRDB

/// A transaction a reporter sent, as `chain.sqlite` keeps it: what it was for, its fees and what
/// became of it.
public struct ReportedTransaction: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Sent, no receipt yet.
        case pending
        case mined
        /// Mined, but the call failed (another fulfilment landed in between, say).
        case reverted
        /// Replaced at its nonce by another transaction of this node (a fee bump or a cancellation).
        case superseded
    }

    public var transactionHash: String
    public var requestId: String
    public var chainId: UInt64
    public var wallet: String
    public var nonce: UInt64
    public var kind: PendingFulfill.Kind
    /// Wei, in decimal.
    public var maxFeePerGas: String
    public var state: State
    public var gasUsed: UInt64?
    public var blockNumber: UInt64?
    public var sentAt: Date

    public init(
        transactionHash: String, requestId: String, chainId: UInt64, wallet: String, nonce: UInt64, kind: PendingFulfill.Kind,
        maxFeePerGas: String, state: State = .pending, gasUsed: UInt64? = nil, blockNumber: UInt64? = nil, sentAt: Date
    ) {
        self.transactionHash = transactionHash
        self.requestId = requestId
        self.chainId = chainId
        self.wallet = wallet
        self.nonce = nonce
        self.kind = kind
        self.maxFeePerGas = maxFeePerGas
        self.state = state
        self.gasUsed = gasUsed
        self.blockNumber = blockNumber
        self.sentAt = sentAt
    }
}

/// One chain's reporting figures: fulfils sent (requests this node sent one for), won (its
/// fulfil mined), lost (another node's landed first: its fulfil reverted or was cancelled), and
/// the gas its mined transactions used.
public struct ChainReportFigures: Sendable, Equatable {
    public var sent: Int
    public var won: Int
    public var lost: Int
    public var gasSpent: UInt64

    public init(sent: Int, won: Int, lost: Int, gasSpent: UInt64) {
        self.sent = sent
        self.won = won
        self.lost = lost
        self.gasSpent = gasSpent
    }

    public static let none = ChainReportFigures(sent: 0, won: 0, lost: 0, gasSpent: 0)
}

extension ReportedTransaction {
    init(row: Row) {
        self.init(
            transactionHash: row["transactionHash"], requestId: row["requestId"], chainId: UInt64(row["chainId"] as Int64),
            wallet: row["wallet"], nonce: UInt64(row["nonce"] as Int64), kind: PendingFulfill.Kind(rawValue: row["kind"]) ?? .fulfill,
            maxFeePerGas: row["maxFeePerGas"], state: State(rawValue: row["state"]) ?? .pending,
            gasUsed: (row["gasUsed"] as Int64?).map(UInt64.init), blockNumber: (row["blockNumber"] as Int64?).map(UInt64.init),
            sentAt: Date(timeIntervalSince1970: row["sentAt"]))
    }
}

extension ChainWatchStore {
    static func createReportedTransactions(_ db: Database) throws {
        try db.create(table: "reportedTransaction") { t in
            t.primaryKey("transactionHash", .text)
            t.column("requestId", .text).notNull().indexed()
            t.column("chainId", .integer).notNull()
            t.column("wallet", .text).notNull()
            t.column("nonce", .integer).notNull()
            t.column("kind", .text).notNull()
            t.column("maxFeePerGas", .text).notNull()
            t.column("state", .text).notNull()
            t.column("gasUsed", .integer)
            t.column("blockNumber", .integer)
            t.column("sentAt", .double).notNull()
        }
    }

    public func recordSent(_ transaction: ReportedTransaction) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO reportedTransaction
                    (transactionHash, requestId, chainId, wallet, nonce, kind, maxFeePerGas, state, gasUsed, blockNumber, sentAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [transaction.transactionHash, transaction.requestId, Int64(transaction.chainId), transaction.wallet, Int64(transaction.nonce),
                            transaction.kind.rawValue, transaction.maxFeePerGas, transaction.state.rawValue, transaction.gasUsed.map(Int64.init),
                            transaction.blockNumber.map(Int64.init), transaction.sentAt.timeIntervalSince1970])
        }
    }

    /// Marks every other pending transaction of the same wallet and nonce superseded.
    public func supersede(nonce: UInt64, wallet: String, chainId: UInt64, except hash: String) async throws {
        try await pool.write { db in try Self.supersede(db, nonce: nonce, wallet: wallet, chainId: chainId, except: hash) }
    }

    /// Records the receipt of `hash`; the others sent at its nonce are superseded.
    public func settle(hash: String, succeeded: Bool, gasUsed: UInt64, blockNumber: UInt64) async throws {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM reportedTransaction WHERE transactionHash = ?", arguments: [hash]) else { return }
            let sent = ReportedTransaction(row: row)
            try db.execute(
                sql: "UPDATE reportedTransaction SET state = ?, gasUsed = ?, blockNumber = ? WHERE transactionHash = ?",
                arguments: [(succeeded ? ReportedTransaction.State.mined : .reverted).rawValue, Int64(gasUsed), Int64(blockNumber), hash])
            try Self.supersede(db, nonce: sent.nonce, wallet: sent.wallet, chainId: sent.chainId, except: hash)
        }
    }

    private static func supersede(_ db: Database, nonce: UInt64, wallet: String, chainId: UInt64, except hash: String) throws {
        try db.execute(
            sql: """
                UPDATE reportedTransaction SET state = 'superseded'
                WHERE chainId = ? AND wallet = ? AND nonce = ? AND transactionHash != ? AND state = 'pending'
                """,
            arguments: [Int64(chainId), wallet, Int64(nonce), hash])
    }

    /// The transactions sent for a request, oldest first.
    public func reportedTransactions(requestId: String) async throws -> [ReportedTransaction] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM reportedTransaction WHERE requestId = ? ORDER BY sentAt, rowid", arguments: [requestId])
                .map(ReportedTransaction.init(row:))
        }
    }

    /// Transactions of one chain still without a receipt (sent before a restart, say).
    public func pendingTransactions(chainId: UInt64) async throws -> [ReportedTransaction] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM reportedTransaction WHERE chainId = ? AND state = 'pending' ORDER BY sentAt, rowid", arguments: [Int64(chainId)])
                .map(ReportedTransaction.init(row:))
        }
    }

    public func reportFigures(chainId: UInt64) async throws -> ChainReportFigures {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                      COUNT(DISTINCT CASE WHEN kind = 'fulfill' THEN requestId END) AS sent,
                      COUNT(DISTINCT CASE WHEN kind = 'fulfill' AND state = 'mined' THEN requestId END) AS won,
                      COUNT(DISTINCT CASE WHEN (kind = 'fulfill' AND state = 'reverted') OR (kind = 'cancel' AND state = 'mined') THEN requestId END) AS lost,
                      COALESCE(SUM(gasUsed), 0) AS gas
                    FROM reportedTransaction WHERE chainId = ?
                    """,
                arguments: [Int64(chainId)])
            guard let row else { return .none }
            return ChainReportFigures(sent: row["sent"], won: row["won"], lost: row["lost"], gasSpent: UInt64(row["gas"] as Int64))
        }
    }
}
