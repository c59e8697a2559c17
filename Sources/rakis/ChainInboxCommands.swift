import ArgumentParser
import Foundation
import RakisCore
import RakisNode

/// What every `rakis chain` command that talks to a chain takes.
struct ChainOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The chain's JSON-RPC endpoint.", valueName: "URL")) var rpc: String
    @Option(help: ArgumentHelp("Refuse a node on another chain id.", valueName: "ID")) var chainId: UInt64?

    func tools() async throws -> InboxTools {
        do { return try await InboxTools.connect(rpcURL: rpc, chainId: chainId) } catch { throw CLIError("\(error)") }
    }

    func validate() throws {
        guard rpc.hasPrefix("http://") || rpc.hasPrefix("https://") else { throw ValidationError("--rpc takes an http:// or https:// URL") }
    }
}

/// The node's wallet, from its key file.
func nodeWallet(_ dataDirectory: DataDirectoryOptions) throws -> NodeWallet {
    let keystore = try Keystore.read(from: dataDirectory.directory.keyFile, password: try PasswordPrompt.existing())
    guard let wallet = try NodeKeys.wallet(in: keystore) else {
        throw CLIError("this node has no wallet; make one with `rakis wallet new` or `rakis wallet import`, and fund it")
    }
    return wallet
}

func printMined(_ what: String, _ mined: InboxTools.Mined) {
    print("\(what): transaction \(mined.transactionHash) in block \(mined.blockNumber), \(mined.gasUsed) gas")
}

extension ChainCommand {
    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deploy the inbox contract (contracts/RakisInbox.vy) from the node's wallet.")
        @OptionGroup var dataDirectory: DataDirectoryOptions
        @OptionGroup var chain: ChainOptions
        @Option(help: ArgumentHelp("Stake a node must bond to attest (wei, or e.g. 1ether).", valueName: "AMOUNT")) var minStake = "1ether"
        @Option(help: "Seconds between unregistering and withdrawing the stake.") var unbondingSeconds = 7 * 24 * 3600
        @Option(help: "Seconds after a request's window during which it can be fulfilled; then it can be refunded.") var fulfilmentWindowSeconds = 3600
        @Option(help: "The reporter's share of a reward, in basis points.") var reporterShareBps = 1000

        func run() async throws {
            let (inbox, mined) = try await chain.tools().deploy(
                from: try nodeWallet(dataDirectory), minStake: minStake, unbondingSeconds: unbondingSeconds,
                fulfilmentWindowSeconds: fulfilmentWindowSeconds, reporterShareBps: reporterShareBps)
            printMined("deployed", mined)
            print(inbox)
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bond a stake and bind the node's wallet to its synthientId in the inbox.")
        @OptionGroup var dataDirectory: DataDirectoryOptions
        @OptionGroup var chain: ChainOptions
        @Option(help: "The inbox contract's address.") var inbox: String
        @Option(help: ArgumentHelp("The stake to bond (wei, or e.g. 1ether).", valueName: "AMOUNT")) var stake: String

        func run() async throws {
            let keystore = try Keystore.read(from: dataDirectory.directory.keyFile, password: try PasswordPrompt.existing())
            guard let wallet = try NodeKeys.wallet(in: keystore) else { throw CLIError("this node has no wallet; make one with `rakis wallet new`") }
            printMined("registered", try await chain.tools().register(inbox: inbox, from: wallet, synthientId: try keystore.identity().synthientId, stake: stake))
        }
    }

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask the network for an inference through the inbox, with a reward; prints the network's request id.")
        @OptionGroup var dataDirectory: DataDirectoryOptions
        @OptionGroup var chain: ChainOptions
        @Option(help: "The inbox contract's address.") var inbox: String
        @Option(help: "The prompt.") var prompt: String
        @Option(help: ArgumentHelp("The reward (wei, or e.g. 0.01ether).", valueName: "AMOUNT")) var reward: String
        @Option(help: "Commits needed before reveals are requested.") var quorum = InferenceRequestDefaults.quorum
        @Option(help: ArgumentHelp("Request lifetime in seconds.", valueName: "SECONDS")) var time = Double(InferenceRequestDefaults.maxTimeMs) / 1000
        @Option(help: "Tokens to generate at most.") var maxTokens = InferenceRequestDefaults.maxTokens

        func run() async throws {
            let payload = InferenceRequestDefaults.payload(prompt: prompt, maxTokens: maxTokens, quorum: quorum, maxTimeMs: Int(time * 1000), createdAt: Date())
            if let problem = InferenceRequestCheck.problem(with: payload) { throw CLIError("invalid request: \(problem)") }
            let (requestId, mined) = try await chain.tools().request(inbox: inbox, from: try nodeWallet(dataDirectory), payload: payload, reward: reward)
            printMined("requested", mined)
            print(requestId)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what the inbox records of a request.")
        @OptionGroup var chain: ChainOptions
        @Option(help: "The inbox contract's address.") var inbox: String
        @Argument(help: "The request's number in the inbox, or its evm: id.") var id: String

        func run() async throws {
            let state = try await chain.tools().status(inbox: inbox, id: id)
            let stage = state.fulfilled ? "fulfilled" : state.refunded ? "refunded" : "open"
            print("request    \(id)\nstatus     \(stage)\nrequester  \(state.requester)\nreward     \(state.reward) wei")
            if state.fulfilled { print("output     \(state.outputHash) (keccak256)\njoint hash \(state.validInferenceJointHash)") }
        }
    }

    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Return an unfulfilled request's reward to its requester (to withdraw), once its fulfilment window has passed.")
        @OptionGroup var dataDirectory: DataDirectoryOptions
        @OptionGroup var chain: ChainOptions
        @Option(help: "The inbox contract's address.") var inbox: String
        @Argument(help: "The request's number in the inbox, or its evm: id.") var id: String

        func run() async throws {
            printMined("refunded", try await chain.tools().refund(inbox: inbox, from: try nodeWallet(dataDirectory), id: id))
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw the rewards, refunds and bounties the inbox holds for the node's wallet.")
        @OptionGroup var dataDirectory: DataDirectoryOptions
        @OptionGroup var chain: ChainOptions
        @Option(help: "The inbox contract's address.") var inbox: String

        func run() async throws {
            printMined("withdrawn", try await chain.tools().withdraw(inbox: inbox, from: try nodeWallet(dataDirectory)))
        }
    }
}
