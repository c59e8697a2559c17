import BigInt
import Foundation
import Logging
import RakisChain
import RakisCore
import RakisEthereum
import RakisTestSupport
import Testing

/// The reporter against the test chain: a fulfil that waits too long is sent again at its
/// nonce with higher fees, every transaction is recorded with what became of it, and two
/// reports at once take two nonces.
@Suite struct InboxReporterTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-reporter-\(UUID().uuidString)")
    let joint = String(repeating: "ab", count: 32)

    /// An inbox with the wallets of keys 3, 4 and 5 registered and `requests` requests made
    /// (quorum 3 at 60%: two signatures needed).
    private func inbox(on chain: TestChain, requests: Int) async throws -> EthereumAddress {
        let inbox = try await chain.deployInbox()
        for key in UInt8(3)...5 {
            let register = ABI.selector("register(bytes32)") + [UInt8](repeating: key, count: 32)
            #expect(try await chain.send(key: key, to: inbox, data: register, value: BigUInt(10).power(18)).succeeded)
        }
        for n in 1...requests { try await chain.requestInference(inbox: inbox, prompt: "Prompt \(n)") }
        return inbox
    }

    /// The test chain with an inbox (`inbox(on:requests:)`) and a fresh `chain.sqlite`.
    private func started(requests: Int) async throws -> (TestChain, EthereumAddress, ChainWatchStore) {
        let chain = try await TestChain.start(chainId: 1337)
        do {
            let inbox = try await inbox(on: chain, requests: requests)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return (chain, inbox, try ChainWatchStore(directory: directory))
        } catch {
            chain.stop()
            throw error
        }
    }

    private func attestations(requestId: String, keys: [UInt8]) throws -> [ChainAttestation] {
        try keys.map { try InboxAttestation.sign(requestId: requestId, output: "Blue.", validInferenceJointHash: joint, wallet: NodeWallet(secretKey: testChainKey($0)), createdAt: Date()) }
    }

    private func reporter(_ chain: TestChain, store: ChainWatchStore, bumpAfter: Duration = .seconds(30)) throws -> InboxReporter {
        InboxReporter(
            rpc: chain.rpc, chainId: chain.chainId, wallet: try NodeWallet(secretKey: testChainKey(3)), store: store,
            timing: .init(receiptPoll: .milliseconds(100), bumpAfter: bumpAfter, giveUpAfter: .seconds(60)), logger: Logger(label: "rakis.test.reporter"))
    }

    @Test func aStuckFulfillIsSentAgainWithHigherFeesAndTheMinedOneIsRecorded() async throws {
        let (chain, inbox, store) = try await started(requests: 1)
        defer {
            chain.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        let reporter = try reporter(chain, store: store, bumpAfter: .milliseconds(400))
        let requestId = "evm:1337:\(inbox.checksummed.lowercased()):1"
        let signed = try attestations(requestId: requestId, keys: [3, 4])

        // The chain stops mining: the fulfil stays pending until it is replaced with higher fees.
        _ = try await chain.rpc.client.call("evm_setAutomine", [.bool(false)])
        let reporting = Task {
            try await reporter.report(
                requestId: requestId, inbox: inbox, id: 1, output: "Blue.", validInferenceJointHash: try #require(Hex.decode(joint)), attestations: signed)
        }
        #expect(try await eventually { try await store.reportedTransactions(requestId: requestId).count >= 2 }, "a replacement was sent")
        try await chain.mine(1)
        let outcome = try await reporting.value
        _ = try await chain.rpc.client.call("evm_setAutomine", [.bool(true)])

        let sent = try await store.reportedTransactions(requestId: requestId)
        let mined = try #require(sent.first { $0.state == .mined })
        guard case .mined(let hash, let gas) = outcome else { Issue.record("not mined: \(outcome)"); return }
        #expect("0x" + Hex.encode(hash) == mined.transactionHash && mined.gasUsed == gas)
        #expect(sent.first?.state == .superseded, "the first one was replaced: \(sent.map(\.state))")
        #expect(Set(sent.map(\.nonce)).count == 1, "every replacement takes the same nonce")
        let fees = sent.map { BigUInt($0.maxFeePerGas) ?? 0 }
        #expect(fees[1] * 10 > fees[0] * 11, "each replacement pays more than a tenth more: \(fees)")
        #expect(try await store.reportFigures(chainId: 1337) == ChainReportFigures(sent: 1, won: 1, lost: 0, gasSpent: gas))
        let fulfilled = try await chain.rpc.call(to: inbox, data: InboxCalls.fulfilled(id: 1))
        #expect(InboxCalls.word(fulfilled) == 1)
    }

    @Test func aFulfilSentBeforeAStopIsSettledByTheNextReporter() async throws {
        let (chain, inbox, store) = try await started(requests: 1)
        defer {
            chain.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        let requestId = "evm:1337:\(inbox.checksummed.lowercased()):1"
        let signed = try attestations(requestId: requestId, keys: [3, 4])
        _ = try await chain.rpc.client.call("evm_setAutomine", [.bool(false)])
        let first = try reporter(chain, store: store)
        let reporting = Task {
            try await first.report(
                requestId: requestId, inbox: inbox, id: 1, output: "Blue.", validInferenceJointHash: try #require(Hex.decode(joint)), attestations: signed)
        }
        #expect(try await eventually { try await store.pendingTransactions(chainId: 1337).count == 1 })
        // The node stops while the fulfil waits; the chain mines it meanwhile.
        reporting.cancel()
        _ = await reporting.result
        try await chain.mine(1)
        _ = try await chain.rpc.client.call("evm_setAutomine", [.bool(true)])
        let next = try reporter(chain, store: store)
        #expect(try await next.reconcile(try await store.pendingTransactions(chainId: 1337)) == 1)
        #expect(try await store.reportedTransactions(requestId: requestId).map(\.state) == [.mined])
        #expect(try await store.reportFigures(chainId: 1337).won == 1)
    }

    @Test func twoReportsAtOnceTakeTwoNoncesAndBothLand() async throws {
        let (chain, inbox, store) = try await started(requests: 2)
        defer {
            chain.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        let reporter = try reporter(chain, store: store)
        let joint = try #require(Hex.decode(joint))
        let requestIds = (1...2).map { "evm:1337:\(inbox.checksummed.lowercased()):\($0)" }
        let outcomes = try await withThrowingTaskGroup(of: InboxReporter.Outcome.self) { group in
            for (index, requestId) in requestIds.enumerated() {
                let signed = try attestations(requestId: requestId, keys: [4, 5])
                group.addTask {
                    try await reporter.report(
                        requestId: requestId, inbox: inbox, id: BigUInt(index + 1), output: "Blue.", validInferenceJointHash: joint, attestations: signed)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for outcome in outcomes {
            guard case .mined = outcome else { Issue.record("not mined: \(outcome)"); continue }
        }
        var nonces: [UInt64] = []
        for id in 1...2 { nonces += try await store.reportedTransactions(requestId: "evm:1337:\(inbox.checksummed.lowercased()):\(id)").map(\.nonce) }
        #expect(Set(nonces).count == 2, "\(nonces)")
        #expect(try await store.reportFigures(chainId: 1337).won == 2)
    }

    @Test func aReportBelowTheThresholdOrAlreadyFulfilledSendsNothing() async throws {
        let (chain, inbox, store) = try await started(requests: 1)
        defer {
            chain.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        let reporter = try reporter(chain, store: store)
        let requestId = "evm:1337:\(inbox.checksummed.lowercased()):1"
        let joint = try #require(Hex.decode(joint))
        let one = try attestations(requestId: requestId, keys: [4])
        #expect(try await reporter.report(requestId: requestId, inbox: inbox, id: 1, output: "Blue.", validInferenceJointHash: joint, attestations: one)
                == .belowThreshold(have: 1, need: 2))
        let two = try attestations(requestId: requestId, keys: [4, 5])
        guard case .mined = try await reporter.report(requestId: requestId, inbox: inbox, id: 1, output: "Blue.", validInferenceJointHash: joint, attestations: two) else {
            Issue.record("the first full report is mined")
            return
        }
        #expect(try await reporter.report(requestId: requestId, inbox: inbox, id: 1, output: "Blue.", validInferenceJointHash: joint, attestations: two)
                == .alreadyFulfilled)
        #expect(try await store.reportedTransactions(requestId: requestId).count == 1)
    }
}

/// Nonces handed out by one wallet's reporter.
@Suite struct NonceCounterTests {
    @Test func twoSendsBeforeTheNodeCountsEitherTakeTwoNoncesAndAFailedSendFollowsTheChainAgain() {
        var nonces = NonceCounter()
        #expect(nonces.take(pendingOnChain: 4) == 4)
        #expect(nonces.take(pendingOnChain: 4) == 5, "the node's pool has not counted the first yet")
        #expect(nonces.take(pendingOnChain: 9) == 9, "another sender used this wallet: the chain's count wins")
        nonces.sendFailed()
        #expect(nonces.take(pendingOnChain: 9) == 9, "the failed send's nonce is taken again")
    }
}

/// The decisions about a transaction without a receipt, in time alone.
@Suite struct PendingFulfillTests {
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test func waitsThenBumpsThenCancelsOnceAnotherFulfilmentLandedThenGivesUp() {
        var pending = PendingFulfill(hash: [1], sentAt: start, bumpAfter: 30, giveUpAfter: 600)
        #expect(!pending.isDueForReplacement(at: start.addingTimeInterval(29)))
        #expect(pending.isDueForReplacement(at: start.addingTimeInterval(30)))
        #expect(pending.replacement(fulfilledElsewhere: false) == .bump)
        pending.replaced(by: [2], kind: .fulfill, at: start.addingTimeInterval(30))
        #expect(!pending.isDueForReplacement(at: start.addingTimeInterval(59)), "the wait starts again from the replacement")
        #expect(pending.replacement(fulfilledElsewhere: true) == .cancel, "a fulfil that can only revert is cancelled")
        pending.replaced(by: [3], kind: .cancel, at: start.addingTimeInterval(60))
        #expect(pending.replacement(fulfilledElsewhere: true) == .bump, "a stuck cancellation is itself bumped, never cancelled")
        #expect(pending.hashes == [[1], [2], [3]] && pending.kind(of: [2]) == .fulfill && pending.kind(of: [3]) == .cancel)
        pending.replacementFailed(at: start.addingTimeInterval(90))
        #expect(!pending.isDueForReplacement(at: start.addingTimeInterval(119)) && pending.hashes.count == 3)
        #expect(!pending.hasExpired(at: start.addingTimeInterval(599)) && pending.hasExpired(at: start.addingTimeInterval(600)))
    }

    @Test func aBumpRaisesBothFeesByMoreThanATenthAndACancellationDoesNothing() throws {
        let to = try EthereumAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3")
        let sender = try NodeWallet(secretKey: testChainKey(3)).address
        let transaction = Transaction.EIP1559(
            chainId: 1337, nonce: 7, maxPriorityFeePerGas: 1_000_000_001, maxFeePerGas: 3_000_000_001, gasLimit: 250_000, to: to, value: 0, data: [1, 2, 3])
        let bumped = transaction.feeBumped
        #expect(bumped.maxPriorityFeePerGas * 10 > transaction.maxPriorityFeePerGas * 11 && bumped.maxFeePerGas * 10 > transaction.maxFeePerGas * 11)
        #expect(bumped.nonce == 7 && bumped.data == [1, 2, 3] && bumped.to == to)
        let cancel = transaction.cancellation(sender: sender)
        #expect(cancel.nonce == 7 && cancel.to == sender && cancel.value == 0 && cancel.data.isEmpty && cancel.gasLimit == 21000)
        #expect(cancel.maxFeePerGas == bumped.maxFeePerGas)
    }
}
