import Crypto
import Foundation
import Logging
import RakisChain
import RakisCore
import Synchronization

/// Two verified attestations by one wallet for one request over different answers: proof, for
/// the inbox's `slash`, that the wallet lied at least once.
struct Equivocation: Sendable {
    let first: ChainAttestation
    let second: ChainAttestation
}

/// The wallets and requests already proven to equivocate, so that a peer repeating a lie costs
/// one proof, not one per packet.
final class ProvenEquivocations: Sendable {
    private let keys = Mutex<Set<String>>([])

    func firstTime(_ key: String) -> Bool { keys.withLock { $0.insert(key).inserted } }
}

extension RakisNode {
    /// Proves an equivocation to the inbox with this node's wallet. Every watching node with a
    /// wallet may; each waits a delay drawn from the proof and its own id, below
    /// `chainReportBackoffMs`, so that usually one pays the gas, and those after it are refused
    /// at the estimate (`nothing to slash`) and send nothing.
    func slashWhenDue(_ equivocation: Equivocation) async {
        let first = equivocation.first
        guard let reporters = chains.reporters, let (chainId, inbox, _) = InboxAttestation.parse(requestId: first.requestId),
              let watcher = await chains.watcher(chainId: chainId, inbox: inbox) else { return }
        let draw = SHA256.hash(data: Array((first.requestId + first.address + identity.synthientId).utf8)).prefix(4).reduce(0) { $0 << 8 | Int($1) }
        let delayMs = draw % max(1, settings.chainReportBackoffMs)
        try? await clock.sleep(until: clock.now().addingTimeInterval(Double(delayMs) / 1000))
        do {
            let outcome = try await reporters.reporter(chainId: chainId, rpcURL: watcher.configuration.rpcURL)
                .slash(first, equivocation.second, inbox: inbox)
            logger.notice("chain slash", metadata: ["requestId": "\(first.requestId)", "wallet": "\(first.address)", "outcome": "\(outcome)"])
        } catch {
            logger.notice("did not slash", metadata: ["requestId": "\(first.requestId)", "wallet": "\(first.address)", "reason": "\(error)"])
        }
    }
}
