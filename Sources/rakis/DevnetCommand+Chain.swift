import ArgumentParser
import Foundation
import RakisCore
import RakisNode

/// `rakis devnet --chain`: requests made on the test chain, agreed on by the devnet, fulfilled
/// on chain by one of its nodes.
extension DevnetCommand {
    /// One request's way through the chain and the network.
    struct ChainRound {
        let requestId: String
        let report: DevnetReport
        let fulfilment: InboxTools.Fulfilment
        let endingAt: Date
        /// From the request's endingAt to the fulfilment seen on chain.
        let secondsAfterEndingAt: Double

        /// Whether the inbox stored the network's answer: the selected output and the joint hash.
        var matchesConsensus: Bool {
            guard let consensus = report.nodes.first?.consensus, let joint = consensus.validInferenceJointHash else { return false }
            return fulfilment.output == consensus.selected?.output && fulfilment.validInferenceJointHash == "0x" + joint
        }
    }

    func runOnChain(_ devnet: LocalDevnet, _ chain: DevnetChain, settings: Settings) async throws {
        var rounds: [ChainRound] = []
        var failure: (any Error)?
        do {
            let members = await devnet.members
            try await chain.register(synthientIds: members.map(\.identity.synthientId))
            progress("registered \(members.count) node wallets in the inbox, 1 ether staked each")
            for index in 0..<requests {
                let (requestId, block) = try await chain.request(requestPayload(), reward: reward)
                progress("request \(index + 1) of \(requests) made on chain: \(requestId)")
                try await devnet.waitForOutcome(requestId: requestId, timeout: outcomeTimeout(settings))
                let (fulfilment, seenAt) = try await chain.fulfilment(of: requestId, madeIn: block, timeout: .seconds(120))
                let report = try await devnet.report(requestId: requestId)
                guard let endingAt = try await members[0].node.requestHistory(requestId: requestId)?.request.payload.endingAt else {
                    throw CLIError("node 1 lost \(requestId)")
                }
                let round = ChainRound(
                    requestId: requestId, report: report, fulfilment: fulfilment, endingAt: endingAt, secondsAfterEndingAt: seenAt.timeIntervalSince(endingAt))
                rounds.append(round)
                progress("fulfilled in block \(fulfilment.mined.blockNumber), \(String(format: "%.2f", round.secondsAfterEndingAt)) s after endingAt")
            }
        } catch {
            failure = error
        }
        await devnet.shutdown()
        let credits = try? await walletCredits(chain)
        if json { printChainJSON(rounds, chain: chain, credits: credits) } else { printChainText(rounds, chain: chain, credits: credits) }
        if let failure { throw CLIError("\(failure)") }
        guard rounds.allSatisfy({ $0.report.agreed && $0.matchesConsensus }) else { throw ExitCode(1) }
    }

    private func walletCredits(_ chain: DevnetChain) async throws -> [String] {
        var credits: [String] = []
        for wallet in chain.wallets { credits.append(try await chain.tools.credit(inbox: chain.inbox, address: wallet.address.checksummed)) }
        return credits
    }

    private func nodeNumber(of address: String, _ chain: DevnetChain) -> String {
        chain.wallets.firstIndex { $0.address.checksummed == address }.map { "node \($0 + 1)" } ?? "an outside wallet"
    }

    private func printChainText(_ rounds: [ChainRound], chain: DevnetChain, credits: [String]?) {
        if rounds.count == 1, let round = rounds.first {
            printText(round.report, afterEnding: round.report.nodes.compactMap { $0.consensus?.computedAt.timeIntervalSince(round.endingAt) })
        }
        print("")
        print("on chain (evm:\(DevnetChain.chainId), inbox \(chain.inbox)):")
        for round in rounds {
            let fulfilment = round.fulfilment
            print("  \(round.requestId): fulfilled in block \(fulfilment.mined.blockNumber) by \(nodeNumber(of: fulfilment.reporter, chain))'s wallet "
                  + "with \(fulfilment.signers) signatures, \(fulfilment.mined.gasUsed) gas, "
                  + String(format: "%.2f s after endingAt", round.secondsAfterEndingAt)
                  + (round.matchesConsensus ? "; the inbox stored the network's output and joint hash" : "; THE INBOX STORED ANOTHER ANSWER"))
        }
        if let credits {
            for (index, credit) in credits.enumerated() {
                print("  node \(index + 1)'s wallet \(chain.wallets[index].address.checksummed): \(credit) wei to withdraw")
            }
        }
        let times = rounds.map(\.secondsAfterEndingAt).sorted()
        if times.count > 1 {
            print(String(format: "endingAt → fulfilment seen on chain over %d requests: median %.2f s, min %.2f s, max %.2f s",
                         times.count, times[times.count / 2], times[0], times[times.count - 1]))
        }
    }

    private func printChainJSON(_ rounds: [ChainRound], chain: DevnetChain, credits: [String]?) {
        let object: [String: JSONValue] = [
            "chainId": .number(Double(DevnetChain.chainId)), "inbox": .string(chain.inbox),
            "requests": .array(rounds.map { round in
                var fields = round.report.json
                fields["fulfilment"] = .object([
                    "blockNumber": .number(Double(round.fulfilment.mined.blockNumber)), "transactionHash": .string(round.fulfilment.mined.transactionHash),
                    "reporter": .string(round.fulfilment.reporter), "signers": .number(Double(round.fulfilment.signers)),
                    "gasUsed": .number(Double(round.fulfilment.mined.gasUsed)), "matchesConsensus": .bool(round.matchesConsensus),
                    "secondsAfterEndingAt": .number((round.secondsAfterEndingAt * 1000).rounded() / 1000),
                ])
                return .object(fields)
            }),
            "credits": .array((credits ?? []).enumerated().map { index, credit in
                .object(["wallet": .string(chain.wallets[index].address.checksummed), "wei": .string(credit)])
            }),
        ]
        print(CanonicalJSON.string(of: .object(object)))
    }
}
