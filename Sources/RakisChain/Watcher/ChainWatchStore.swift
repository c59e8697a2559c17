public import Foundation
import GRDB
public import RakisCore
public import RakisEthereum
import RakisStorage

/// `chain.sqlite`: how far each watcher has read its chain (the next block and the hash of the
/// last one read, to notice a reorganisation) and every request it found. A batch of requests
/// and the cursor past them are written in one transaction, so a restart resumes with nothing
/// lost and nothing doubled.
public final class ChainWatchStore: Sendable {
    public static let fileName = "chain.sqlite"
    let pool: DatabasePool

    public struct Cursor: Sendable, Equatable {
        public var nextBlock: UInt64
        public var lastBlockHash: [UInt8]?
    }

    public init(directory: URL) throws {
        pool = try SQLiteFile.open(path: directory.appendingPathComponent(Self.fileName).path, label: "rakis.chain", migrator: Self.migrator)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "chainCursor") { t in
                t.column("chainId", .integer).notNull()
                t.column("inbox", .text).notNull()
                t.column("nextBlock", .integer).notNull()
                t.column("lastBlockHash", .blob)
                t.primaryKey(["chainId", "inbox"])
            }
            try db.create(table: "chainRequest") { t in
                t.primaryKey("requestId", .text)
                t.column("chainId", .integer).notNull()
                t.column("inbox", .text).notNull()
                t.column("blockNumber", .integer).notNull()
                t.column("transactionHash", .blob).notNull()
                t.column("logIndex", .integer).notNull()
                t.column("prompt", .text).notNull()
            }
        }
        migrator.registerMigration("v2") { db in
            try db.create(table: "chainAttestation") { t in
                t.column("requestId", .text).notNull()
                t.column("address", .text).notNull()
                t.column("outputHash", .text).notNull()
                t.column("validInferenceJointHash", .text).notNull()
                t.column("signature", .text).notNull()
                t.column("chain", .text).notNull()
                t.column("inbox", .text).notNull()
                t.column("createdAt", .double).notNull()
                t.primaryKey(["requestId", "address"])
            }
        }
        migrator.registerMigration("v3", migrate: createReportedTransactions)
        migrator.registerMigration("v4") { db in
            try db.alter(table: "chainRequest") { t in
                t.add(column: "requester", .text)
                t.add(column: "reward", .text)
            }
        }
        migrator.registerMigration("v5") { db in
            try db.create(table: "chainFulfilment") { t in
                t.primaryKey("requestId", .text)
                t.column("reporter", .text).notNull()
                t.column("outputHash", .text).notNull()
                t.column("validInferenceJointHash", .text).notNull()
                t.column("signers", .integer).notNull()
                t.column("blockNumber", .integer).notNull()
                t.column("transactionHash", .text).notNull()
            }
        }
        return migrator
    }

    /// Keeps a verified attestation (the first of each wallet for a request); true when new.
    public func record(_ attestation: ChainAttestation) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO chainAttestation
                    (requestId, address, outputHash, validInferenceJointHash, signature, chain, inbox, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [attestation.requestId, attestation.address, attestation.outputHash, attestation.validInferenceJointHash,
                            attestation.signature, attestation.chain, attestation.inbox, attestation.createdAt.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    /// The verified attestations of a request, by signer address.
    public func attestations(requestId: String) async throws -> [ChainAttestation] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM chainAttestation WHERE requestId = ? ORDER BY address", arguments: [requestId]).map { row in
                ChainAttestation(
                    requestId: row["requestId"], chain: row["chain"], inbox: row["inbox"], outputHash: row["outputHash"],
                    validInferenceJointHash: row["validInferenceJointHash"], address: row["address"], signature: row["signature"],
                    createdAt: Date(timeIntervalSince1970: row["createdAt"]))
            }
        }
    }

    public func cursor(chainId: UInt64, inbox: EthereumAddress) async throws -> Cursor? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT nextBlock, lastBlockHash FROM chainCursor WHERE chainId = ? AND inbox = ?",
                arguments: [Int64(chainId), inbox.checksummed]
            ).map { Cursor(nextBlock: UInt64($0["nextBlock"] as Int64), lastBlockHash: ($0["lastBlockHash"] as Data?).map { Array($0) }) }
        }
    }

    /// Records `requests` and moves the cursor to `cursor` in one transaction; returns the
    /// requests not recorded before.
    public func record(
        _ requests: [ChainInferenceRequest], fulfilments: [ChainFulfilment] = [], cursor: Cursor, chainId: UInt64, inbox: EthereumAddress
    ) async throws -> [ChainInferenceRequest] {
        try await pool.write { db in
            for fulfilment in fulfilments {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO chainFulfilment
                        (requestId, reporter, outputHash, validInferenceJointHash, signers, blockNumber, transactionHash) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [fulfilment.requestId, fulfilment.reporter, fulfilment.outputHash, fulfilment.validInferenceJointHash, fulfilment.signers,
                                Int64(fulfilment.blockNumber), fulfilment.transactionHash])
            }
            var fresh: [ChainInferenceRequest] = []
            for request in requests {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO chainRequest
                        (requestId, chainId, inbox, blockNumber, transactionHash, logIndex, prompt, requester, reward)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [request.requestId, Int64(chainId), inbox.checksummed, Int64(request.blockNumber), Data(request.transactionHash),
                                Int64(request.logIndex), request.prompt, request.requester.checksummed, request.reward.description])
                if db.changesCount > 0 { fresh.append(request) }
            }
            try db.execute(
                sql: """
                    INSERT INTO chainCursor (chainId, inbox, nextBlock, lastBlockHash) VALUES (?, ?, ?, ?)
                    ON CONFLICT (chainId, inbox) DO UPDATE SET nextBlock = excluded.nextBlock, lastBlockHash = excluded.lastBlockHash
                    """,
                arguments: [Int64(chainId), inbox.checksummed, Int64(cursor.nextBlock), cursor.lastBlockHash.map { Data($0) }])
            return fresh
        }
    }

    /// Where and by whom a request was made on chain, when this node found it.
    public func request(requestId: String) async throws -> FoundChainRequest? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM chainRequest WHERE requestId = ?", arguments: [requestId]).map { row in
                FoundChainRequest(
                    requestId: row["requestId"], chainId: UInt64(row["chainId"] as Int64), inbox: row["inbox"],
                    blockNumber: UInt64(row["blockNumber"] as Int64), transactionHash: "0x" + Hex.encode(Array(row["transactionHash"] as Data)),
                    requester: row["requester"], reward: row["reward"])
            }
        }
    }

    /// The request's fulfilment, once the watcher read its `InferenceFulfilled` log.
    public func fulfilment(requestId: String) async throws -> ChainFulfilment? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM chainFulfilment WHERE requestId = ?", arguments: [requestId]).map { row in
                ChainFulfilment(
                    requestId: row["requestId"], reporter: row["reporter"], outputHash: row["outputHash"],
                    validInferenceJointHash: row["validInferenceJointHash"], signers: row["signers"], blockNumber: UInt64(row["blockNumber"] as Int64),
                    transactionHash: row["transactionHash"])
            }
        }
    }

    /// Requests found on this chain.
    public func requestCount(chainId: UInt64) async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chainRequest WHERE chainId = ?", arguments: [Int64(chainId)]) ?? 0 }
    }

    /// Whether a request with this network id was found on chain by this node.
    public func contains(requestId: String) async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM chainRequest WHERE requestId = ?", arguments: [requestId]) ?? false }
    }
}
