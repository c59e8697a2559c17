public import Foundation
import RakisCore
import RakisNode

/// One watched chain in `/api/stats`: the watcher's view and this node's reports.
public struct ChainStatsView: Codable, Sendable {
    public let name: String
    public let chainId: UInt64?
    public let inbox: String
    public let head: UInt64?
    public let nextBlock: UInt64?
    /// Blocks between the head and the last block read.
    public let headLag: UInt64?
    public let lastError: String?
    public let requestsSeen: Int
    public let fulfilmentsSent: Int
    public let fulfilmentsWon: Int
    public let fulfilmentsLost: Int
    public let gasSpent: UInt64

    init(_ figures: ChainFigures) {
        name = figures.watcher.name
        chainId = figures.watcher.chainId
        inbox = figures.inbox
        head = figures.watcher.head
        nextBlock = figures.watcher.nextBlock
        headLag = figures.watcher.headLag
        lastError = figures.watcher.lastError
        requestsSeen = figures.requestsSeen
        fulfilmentsSent = figures.reports.sent
        fulfilmentsWon = figures.reports.won
        fulfilmentsLost = figures.reports.lost
        gasSpent = figures.reports.gasSpent
    }
}

/// A chain request in the request detail: where it was made (once confirmed on chain by this
/// node) and the transactions this node sent to fulfil it.
public struct ChainRequestView: Codable, Sendable {
    public struct TransactionView: Codable, Sendable {
        public let transactionHash: String
        /// `fulfill`, or `cancel` (a fulfil replaced once another node's landed).
        public let kind: String
        public let nonce: UInt64
        /// Wei, in decimal.
        public let maxFeePerGas: String
        /// `pending`, `mined`, `reverted` or `superseded`.
        public let state: String
        public let gasUsed: UInt64?
        public let blockNumber: UInt64?
        public let sentAt: Date
    }

    public let chainId: UInt64
    public let inbox: String
    public let id: String
    /// Whether this node watches that inbox.
    public let watched: Bool
    /// Whether this node found the request on chain; false for one only peers sent (unconfirmed).
    public let confirmed: Bool
    public let blockNumber: UInt64?
    public let requestTransaction: String?
    public let requester: String?
    /// The escrowed reward, wei in decimal.
    public let reward: String?
    public let transactions: [TransactionView]
    /// How the request was fulfilled on chain, by whichever node; absent until then.
    public let fulfilment: FulfilmentView?

    public struct FulfilmentView: Codable, Sendable {
        public let transactionHash: String
        public let blockNumber: UInt64
        /// The wallet that sent it.
        public let reporter: String
        public let signers: Int
        public let outputHash: String
        public let validInferenceJointHash: String
    }

    init(_ detail: ChainRequestDetail) {
        chainId = detail.chainId
        inbox = detail.inbox
        id = detail.id
        watched = detail.watched
        confirmed = detail.confirmed
        blockNumber = detail.found?.blockNumber
        requestTransaction = detail.found?.transactionHash
        requester = detail.found?.requester
        reward = detail.found?.reward
        transactions = detail.transactions.map {
            TransactionView(
                transactionHash: $0.transactionHash, kind: $0.kind.rawValue, nonce: $0.nonce, maxFeePerGas: $0.maxFeePerGas, state: $0.state.rawValue,
                gasUsed: $0.gasUsed, blockNumber: $0.blockNumber, sentAt: $0.sentAt)
        }
        fulfilment = detail.fulfilment.map {
            FulfilmentView(
                transactionHash: $0.transactionHash, blockNumber: $0.blockNumber, reporter: $0.reporter, signers: $0.signers, outputHash: $0.outputHash,
                validInferenceJointHash: $0.validInferenceJointHash)
        }
    }
}
