import BigInt
import Foundation
import Logging
import RakisChain
import Synchronization
import RakisCore
import RakisEthereum
import RakisInference
@testable import RakisNode
import RakisTestSupport
import Testing

/// Layer 5 end to end: three nodes watch an inbox on the test chain (a real EVM behind standard
/// JSON-RPC); a request made on chain is found by each, agreed on by the network under the id
/// every watcher derives, and a peer's invented chain request is refused by the watchers.
@Suite(.serialized) struct ChainDevnetTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-chain-devnet-\(UUID().uuidString)")
    let clock = TestClock()

    /// An inbox on the test chain with the three nodes' wallets registered (keys 3, 4 and 5) and
    /// one request made, and a devnet of three nodes that watch it.
    private func chainAndDevnet(logs: RecordedLogs) async throws -> (TestChain, EthereumAddress, [NodeWallet], LocalDevnet, Settings) {
        let chain = try await TestChain.start(chainId: 1337)
        let inbox = try await chain.deployInbox()
        let wallets = try (3...5).map { try NodeWallet(secretKey: testChainKey(UInt8($0))) }
        for (index, wallet) in wallets.enumerated() {
            let register = ABI.selector("register(bytes32)") + [UInt8](repeating: UInt8(index + 1), count: 32)
            #expect(try await chain.send(key: UInt8(index + 3), to: inbox, data: register, value: BigUInt(10).power(18)).succeeded, "\(wallet.address)")
        }
        try await chain.requestInference(inbox: inbox, prompt: "Name one colour of the sky.", quorum: 3, maxTimeMs: 20000, reward: 3_000_000)
        var settings = DevnetTests.settings
        settings.chains = [ChainSetting(name: "test", rpcURL: chain.url, inbox: inbox.checksummed, confirmations: 0, pollMs: 500)]
        settings.chainReportBackoffMs = 5000
        let models = try NodeModels.defaults(root: LLMFixtures.packageRoot, llmThreads: 1, contextLength: 512)
        let devnet = LocalDevnet(root: root, settings: settings, wallets: { wallets[$0] }, clock: clock, logger: logs.logger) { _ in models }
        try await devnet.start(nodes: 3)
        try await devnet.waitUntilReady()
        return (chain, inbox, wallets, devnet, settings)
    }

    @Test func aRequestMadeOnChainReachesConsensusAndAnInventedOneIsRefused() async throws {
        let logs = RecordedLogs()
        let (chain, inbox, wallets, devnet, settings) = try await chainAndDevnet(logs: logs)
        defer {
            chain.stop()
            try? FileManager.default.removeItem(at: root)
        }

        // Node 1 sends a chain request that was never made on chain.
        let invented = "evm:1337:\(inbox.checksummed.lowercased()):2"
        let payload = DevnetTests.payload(quorum: 3, createdAt: clock.now())
        try await devnet.members[0].node.p2p.transmit(.p2pInferenceRequest(P2PInferenceRequest(requestId: invented, payload: payload, createdAt: clock.now())))

        let requestId = "evm:1337:\(inbox.checksummed.lowercased()):1"
        try await devnet.endRequest(requestId, on: clock, afterCommits: 3)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        #expect(report.agreed, "every node completes with the same joint hash and output")
        for node in report.nodes { #expect(node.status == .completed) }
        let stored = try #require(try await devnet.members[2].node.stores.inferences.request(requestId))
        #expect(stored.payload.prompt == "Name one colour of the sky.")
        #expect(stored.payload.fromChain == "evm:1337")
        #expect(stored.payload.securityFrame.secPercentage == 0.6)

        // By now the invented request would have been filed everywhere had it been accepted.
        for index in 1...2 { #expect(try await devnet.members[index].node.stores.inferences.request(invented) == nil, "node \(index + 1)") }

        try await expectFulfilled(requestId: requestId, report: report, chain: chain, inbox: inbox, wallets: wallets, devnet: devnet, settings: settings, logs: logs)
        try await expectAnEquivocatingWalletSlashed(requestId: requestId, chain: chain, inbox: inbox, wallets: wallets, devnet: devnet, logs: logs)
        await devnet.shutdown()
    }

    /// Two chains with different ids and, from the same deployer and nonce, the same inbox
    /// address: each node watches both, and each request is agreed on and fulfilled on the chain
    /// it was made on, by the reporter of that chain.
    @Test func requestsOnTwoChainsAtOnceAreEachFulfilledOnTheirOwnChain() async throws {
        let logs = RecordedLogs()
        let chains = [try await TestChain.start(chainId: 1337), try await TestChain.start(chainId: 31337)]
        defer {
            for chain in chains { chain.stop() }
            try? FileManager.default.removeItem(at: root)
        }
        let wallets = try (3...5).map { try NodeWallet(secretKey: testChainKey(UInt8($0))) }
        var inboxes: [EthereumAddress] = []
        for (chain, prompt) in zip(chains, ["Name one colour of the sky.", "Name one planet."]) {
            let inbox = try await chain.deployInbox()
            for key in UInt8(3)...5 {
                let register = ABI.selector("register(bytes32)") + [UInt8](repeating: key, count: 32)
                #expect(try await chain.send(key: key, to: inbox, data: register, value: BigUInt(10).power(18)).succeeded)
            }
            try await chain.requestInference(inbox: inbox, prompt: prompt, quorum: 3, maxTimeMs: 20000, reward: 3_000_000)
            inboxes.append(inbox)
        }
        #expect(inboxes[0] == inboxes[1], "the same deployer and nonce give the same address on both chains")
        var settings = DevnetTests.settings
        settings.chains = zip(["one", "two"], chains).map { ChainSetting(name: $0, rpcURL: $1.url, inbox: inboxes[0].checksummed, confirmations: 0, pollMs: 500) }
        settings.chainReportBackoffMs = 5000
        let models = try NodeModels.defaults(root: LLMFixtures.packageRoot, llmThreads: 1, contextLength: 512)
        let devnet = LocalDevnet(root: root, settings: settings, wallets: { wallets[$0] }, clock: clock, logger: logs.logger) { _ in models }
        try await devnet.start(nodes: 3)
        try await devnet.waitUntilReady()

        let ids = chains.map { "evm:\($0.chainId):\(inboxes[0].checksummed.lowercased()):1" }
        let members = await devnet.members
        for id in ids {
            #expect(try await eventually(timeout: .seconds(90)) {
                try await members.allSatisfy { try await $0.node.stores.quorums.commits(requestId: id).count >= 3 }
            }, "every node commits to \(id)")
        }
        var ends: [Date] = []
        for id in ids { ends.append(try await devnet.deadlines(id).endingAt) }
        clock.advance(to: (ends.max() ?? clock.now()).addingTimeInterval(0.1))
        for (id, chain) in zip(ids, chains) {
            try await devnet.waitForOutcome(requestId: id, timeout: .seconds(90))
            let report = try await devnet.report(requestId: id)
            #expect(report.agreed)
            let output = try #require(report.nodes[0].consensus?.selected?.output)
            let fulfilled = await eventually(timeout: .seconds(60)) {
                let answer = try? await chain.rpc.call(to: inboxes[0], data: InboxCalls.fulfilled(id: 1))
                return answer.flatMap { InboxCalls.word($0) } == 1
            }
            #expect(fulfilled, "\(id): \(logs.messages.suffix(10))")
            let stored = try await chain.rpc.call(to: inboxes[0], data: ABI.selector("requests(uint256)") + ABI.encode([.uint(1)], as: [.uint(bits: 256)]))
            #expect(Array(stored[7 * 32..<8 * 32]) == Keccak256.hash(Array(output.utf8)), "\(id) holds its own answer")
        }
        let figures = try await members[0].node.chainFigures()
        #expect(figures.map(\.watcher.chainId) == [1337, 31337] && figures.allSatisfy { $0.requestsSeen == 1 })
        await devnet.shutdown()
    }

    /// Attestations by each valid member, one fulfill by the first-ranked, the reward credited,
    /// nothing sent by the others.
    private func expectFulfilled(
        requestId: String, report: DevnetReport, chain: TestChain, inbox: EthereumAddress, wallets: [NodeWallet], devnet: LocalDevnet,
        settings: Settings, logs: RecordedLogs
    ) async throws {
        // Each valid member attests the result with its wallet; every node keeps the three.
        let members = await devnet.members
        let attested = try await eventually(timeout: .seconds(60)) {
            try await members.allSatisfy { try await $0.node.chainAttestations(requestId: requestId).count == 3 }
        }
        #expect(attested)
        let attestations = try await members[0].node.chainAttestations(requestId: requestId)
        #expect(Set(attestations.map(\.address)) == Set(wallets.map(\.address.checksummed)))
        let consensus = try #require(report.nodes[0].consensus)
        let output = try #require(consensus.selected?.output)
        let joint = try #require(consensus.validInferenceJointHash)

        // The valid member ranked first reports at once: the inbox accepts the network's answer
        // under the three signatures and credits the signers.
        let fulfilled = await eventually(timeout: .seconds(60)) {
            let answer = try? await chain.rpc.call(to: inbox, data: InboxCalls.fulfilled(id: 1))
            return answer.flatMap { try? ABI.decode([.bool], from: $0) } == [.bool(true)]
        }
        #expect(fulfilled, "\(logs.messages.suffix(20))")
        let onChain = try await chain.rpc.call(to: inbox, data: ABI.selector("requests(uint256)") + ABI.encode([.uint(1)], as: [.uint(bits: 256)]))
        #expect(Array(onChain[7 * 32..<8 * 32]) == Keccak256.hash(Array(output.utf8)), "the stored output hash is the selected output's")
        #expect(Hex.encode(onChain[8 * 32..<9 * 32]) == joint, "the stored joint hash is the network's")
        // The reporter waits a moment past its turn for every valid member's attestation, so all
        // three signers share the reward, the reporter's 10% on top.
        var credits: [BigUInt] = []
        for wallet in wallets {
            let credit = try await chain.rpc.call(to: inbox, data: ABI.selector("credits(address)") + ABI.encode([.address(wallet.address)], as: [.address]))
            guard case .uint(let amount)? = try ABI.decode([.uint(bits: 256)], from: credit).first else { Issue.record("no credit"); return }
            credits.append(amount)
        }
        #expect(credits.reduce(0, +) == 3_000_000 && credits.filter { $0 > 0 }.count == 3, "\(credits)")
        // The others' turns come; they find it fulfilled and send nothing.
        clock.advance(by: .seconds(Double(settings.chainReportBackoffMs) / 1000 * 3))
        #expect(await eventually { logs.messages.filter { $0.contains("alreadyFulfilled") }.count == 2 }, "\(logs.messages.suffix(20))")
        // The reporter's line, with the gas its fulfill used (the README quotes it).
        print(logs.messages.first { $0.hasPrefix("chain report") && $0.contains("mined") } ?? "no chain report logged")
        var sent = 0
        for wallet in wallets { sent += Int(try await chain.rpc.transactionCount(wallet.address)) - 1 }
        #expect(sent == 1, "one fulfill in all, besides the three registrations")
        // A signer withdraws its credit: the inbox pays it out (Withdrawn with the amount).
        let withdrawn = try await chain.send(key: 3, to: inbox, data: ABI.selector("withdraw()"))
        #expect(withdrawn.succeeded && withdrawn.logs.first.map { InboxCalls.word($0.data) } == credits[0], "\(withdrawn.logs)")
        try await expectFiguresOfOneWinner(requestId: requestId, members: members)
    }

    /// A registered wallet (key 6) signs two answers to the request, and a peer passes both on:
    /// a node that watches the inbox proves it, and the liar's stake is gone, half of it to the
    /// prover.
    private func expectAnEquivocatingWalletSlashed(
        requestId: String, chain: TestChain, inbox: EthereumAddress, wallets: [NodeWallet], devnet: LocalDevnet, logs: RecordedLogs
    ) async throws {
        let liar = try NodeWallet(secretKey: testChainKey(6))
        let register = ABI.selector("register(bytes32)") + [UInt8](repeating: 6, count: 32)
        #expect(try await chain.send(key: 6, to: inbox, data: register, value: BigUInt(10).power(18)).succeeded)
        let joint = String(repeating: "cd", count: 32)
        let members = await devnet.members
        let creditsBefore = try await creditsOf(wallets, chain: chain, inbox: inbox)
        for output in ["Blue.", "Green."] {
            let lie = try InboxAttestation.sign(requestId: requestId, output: output, validInferenceJointHash: joint, wallet: liar, createdAt: clock.now())
            try await members[0].node.p2p.transmit(.chainAttestation(lie))
        }
        #expect(await eventually { logs.messages.contains { $0.hasPrefix("a wallet signed two answers") } }, "\(logs.messages.suffix(10))")
        let stake = { () async throws -> BigUInt? in
            let node = try await chain.rpc.call(to: inbox, data: ABI.selector("nodes(address)") + ABI.encode([.address(liar.address)], as: [.address]))
            return InboxCalls.word(Array(node[32..<64]))
        }
        // The provers' delays (below chainReportBackoffMs, 5 s here) pass second by second: a
        // node may start its wait only after a first step of the clock.
        #expect(try await eventually(timeout: .seconds(60)) {
            clock.advance(by: .seconds(1))
            return try await stake() == 0
        }, "\(logs.messages.suffix(10))")
        #expect(await eventually { logs.messages.contains { $0.hasPrefix("chain slash") && $0.contains("outcome=mined") } })
        #expect(try await creditsOf(wallets, chain: chain, inbox: inbox) == creditsBefore + BigUInt(10).power(18) / 2, "half the liar's stake to the prover")
    }

    private func creditsOf(_ wallets: [NodeWallet], chain: TestChain, inbox: EthereumAddress) async throws -> BigUInt {
        var total: BigUInt = 0
        for wallet in wallets {
            let credit = try await chain.rpc.call(to: inbox, data: ABI.selector("credits(address)") + ABI.encode([.address(wallet.address)], as: [.address]))
            total += InboxCalls.word(credit) ?? 0
        }
        return total
    }

    private func expectFiguresOfOneWinner(requestId: String, members: [LocalDevnet.Member]) async throws {
        // Each node says so: the request confirmed on chain with its reward, the fulfilment its
        // watcher read (the same transaction everywhere), and, on the reporter only, its fulfil
        // mined, won and its gas counted. The watchers poll on the test clock.
        #expect(try await eventually(timeout: .seconds(60)) {
            clock.advance(by: .seconds(1))
            return try await members.allSatisfy { try await $0.node.chainRequest(requestId: requestId)?.fulfilment != nil }
        }, "every watcher reads the InferenceFulfilled log")
        var won = 0
        var fulfilments: Set<String> = []
        var mined: [String] = []
        for member in members {
            let detail = try #require(try await member.node.chainRequest(requestId: requestId))
            #expect(detail.watched && detail.confirmed && detail.found?.reward == "3000000" && detail.attestations.count == 3)
            fulfilments.insert(detail.fulfilment?.transactionHash ?? "none")
            #expect(detail.fulfilment?.signers == 3)
            mined += detail.transactions.filter { $0.state == .mined }.map(\.transactionHash)
            let figures = try #require(try await member.node.chainFigures().first)
            #expect(figures.requestsSeen == 1 && figures.watcher.chainId == 1337 && figures.watcher.lastError == nil)
            if figures.reports.won == 1 {
                won += 1
                #expect(figures.reports.sent == 1 && figures.reports.lost == 0 && figures.reports.gasSpent > 200_000)
                #expect(detail.transactions.map(\.state) == [.mined] && detail.transactions.first?.kind == .fulfill)
            } else {
                #expect(figures.reports == .none && detail.transactions.isEmpty)
            }
        }
        #expect(won == 1)
        #expect(fulfilments.count == 1 && fulfilments == Set(mined), "every node names the reporter's transaction: \(fulfilments) \(mined)")
    }
}

/// Log messages with their metadata, as one line each, for tests that wait on what a node did.
final class RecordedLogs: Sendable {
    private let lines = Mutex<[String]>([])
    var messages: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "rakis.test") { _ in Handler(logs: self) }
    }

    struct Handler: LogHandler {
        let logs: RecordedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let line = "\(event.message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            logs.lines.withLock { $0.append(line) }
        }
    }
}
