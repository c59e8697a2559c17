public import Foundation

/// What a reporter does about a transaction it sent that has no receipt yet, as a pure state
/// machine: wait; after `bumpAfter` without a receipt, replace it at the same nonce with higher
/// fees, or, once another node's fulfilment landed, with a cancellation (a transfer of 0 to
/// itself), so that it does not pay for a fulfil that can only revert; give up after
/// `giveUpAfter`. Every hash it sent stays a candidate: any one of them may be mined.
public struct PendingFulfill: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case fulfill
        case cancel
        /// `slash` with two conflicting attestations of one wallet.
        case slash
    }

    public enum Replacement: Sendable, Equatable {
        case bump
        case cancel
    }

    public struct Sent: Sendable, Equatable {
        public let hash: [UInt8]
        public let kind: Kind
    }

    /// Every transaction sent at this nonce, oldest first.
    public private(set) var sent: [Sent]
    public var hashes: [[UInt8]] { sent.map(\.hash) }
    /// What the newest transaction does.
    public var kind: Kind { sent[sent.count - 1].kind }
    public private(set) var lastSentAt: Date
    public let firstSentAt: Date
    public let bumpAfter: TimeInterval
    public let giveUpAfter: TimeInterval

    public init(hash: [UInt8], kind: Kind = .fulfill, sentAt: Date, bumpAfter: TimeInterval, giveUpAfter: TimeInterval) {
        sent = [Sent(hash: hash, kind: kind)]
        lastSentAt = sentAt
        firstSentAt = sentAt
        self.bumpAfter = bumpAfter
        self.giveUpAfter = giveUpAfter
    }

    public func hasExpired(at now: Date) -> Bool { now.timeIntervalSince(firstSentAt) >= giveUpAfter }

    /// Whether the newest transaction waited `bumpAfter` without a receipt.
    public func isDueForReplacement(at now: Date) -> Bool { now.timeIntervalSince(lastSentAt) >= bumpAfter }

    /// How to replace the newest transaction: a fulfil whose request another node fulfilled is
    /// cancelled; anything else (a cancellation too) is sent again with higher fees.
    public func replacement(fulfilledElsewhere: Bool) -> Replacement {
        kind == .fulfill && fulfilledElsewhere ? .cancel : .bump
    }

    public mutating func replaced(by hash: [UInt8], kind: Kind, at now: Date) {
        sent.append(Sent(hash: hash, kind: kind))
        lastSentAt = now
    }

    /// A replacement could not be sent (most often because one of these was mined meanwhile):
    /// the next one is due a full `bumpAfter` from now.
    public mutating func replacementFailed(at now: Date) { lastSentAt = now }

    public func kind(of hash: [UInt8]) -> Kind? { sent.first { $0.hash == hash }?.kind }
}
