import Foundation
import RakisCore
import RakisNode

/// The chain half of `rakis devnet --chain`: the test chain, the inbox deployed on it, a fresh
/// wallet per node (funded from the chain's first account and registered with a stake), the
/// requests made on chain from its second account, and their fulfilments read back.
struct DevnetChain {
    static let chainId: UInt64 = 1337
    let process: TestChainProcess
    let tools: InboxTools
    let inbox: String
    let wallets: [NodeWallet]
    let requester: NodeWallet

    /// The chain's funded account `n` (its secret key is n; eth-tester funds keys 1 to 10).
    static func fundedAccount(_ n: UInt8) throws -> NodeWallet { try NodeWallet(secretKey: [UInt8](repeating: 0, count: 31) + [n]) }

    static func start(nodes: Int, progress: (String) -> Void) async throws -> DevnetChain {
        let process = try await TestChainProcess.start(chainId: chainId)
        do {
            let tools = try await InboxTools.connect(rpcURL: process.url, chainId: chainId)
            let funder = try fundedAccount(1)
            let (inbox, deployed) = try await tools.deploy(
                from: funder, minStake: "1ether", unbondingSeconds: 3600, fulfilmentWindowSeconds: 600, reporterShareBps: 1000)
            progress("test chain (eth-tester on py-evm) at \(process.url), chain id \(chainId); inbox \(inbox) deployed (\(deployed.gasUsed) gas)")
            let wallets = (0..<nodes).map { _ in NodeWallet.generate() }
            for wallet in wallets { _ = try await tools.transfer(from: funder, to: wallet.address.checksummed, amount: "10ether") }
            return DevnetChain(process: process, tools: tools, inbox: inbox, wallets: wallets, requester: try fundedAccount(2))
        } catch {
            process.stop()
            throw error
        }
    }

    /// What every node watches: this inbox, read at the head (no confirmations: the test chain
    /// never reorganises), every half second.
    var setting: ChainSetting {
        ChainSetting(name: "devnet", rpcURL: process.url, inbox: inbox, confirmations: 0, pollMs: 500)
    }

    /// Registers each node's wallet with its synthientId and a stake of 1 ether.
    func register(synthientIds: [String]) async throws {
        for (wallet, synthientId) in zip(wallets, synthientIds) {
            _ = try await tools.register(inbox: inbox, from: wallet, synthientId: synthientId, stake: "1ether")
        }
    }

    /// Makes the request; returns its id and the block it was mined in.
    func request(_ payload: InferenceRequestPayload, reward: String) async throws -> (requestId: String, block: UInt64) {
        let (requestId, mined) = try await tools.request(inbox: inbox, from: requester, payload: payload, reward: reward)
        return (requestId, mined.blockNumber)
    }

    /// Waits for the request's `InferenceFulfilled` log, asking the chain every quarter second
    /// (JSON-RPC over HTTP has no push); returns it with the moment it was seen.
    func fulfilment(of requestId: String, madeIn block: UInt64, timeout: Duration) async throws -> (InboxTools.Fulfilment, seenAt: Date) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let fulfilment = try await tools.fulfilment(inbox: inbox, id: requestId, fromBlock: block) { return (fulfilment, Date()) }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CLIError("\(requestId) was not fulfilled on chain within \(timeout)")
    }

    func stop() { process.stop() }
}
