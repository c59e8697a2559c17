import Foundation
import Logging
import RakisChain
public import RakisCore

/// Attestations of chain results: this node's, after a consensus it was a valid member of, and
/// its peers', kept once they verify, for whoever reports the answer on chain.
extension RakisNode {
    /// Signs the selected output of a completed chain request with this node's wallet and sends
    /// it as a `chainAttestation`, when this node's reveal was among the valid ones.
    func attest(requestId: String) async {
        guard let wallet else { return }
        let record: ConsensusRecord?
        do { record = try await stores.consensus.result(requestId: requestId) } catch {
            logger.error("cannot read a consensus result to attest it", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
            return
        }
        guard let record, let selected = record.selected, let joint = record.validInferenceJointHash,
              record.details.valid.contains(where: { $0.synthientId == identity.synthientId }) else { return }
        do {
            let attestation = try InboxAttestation.sign(
                requestId: requestId, output: selected.output, validInferenceJointHash: joint, wallet: wallet, createdAt: clock.now())
            try await p2p.transmit(.chainAttestation(attestation))
            logger.info("attested a chain result", metadata: ["requestId": "\(requestId)", "wallet": "\(attestation.address)"])
        } catch {
            logger.error("cannot attest a chain result", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
        }
    }

    /// Keeps an attestation of a watched inbox's request once its signature recovers to the
    /// wallet it names; drops any other with a log line.
    func chainAttestationArrived(_ attestation: ChainAttestation) async {
        guard let store = chains.store, chains.watches(requestId: attestation.requestId) else { return }
        do {
            _ = try InboxAttestation.verify(attestation)
        } catch {
            logger.warning("dropped a chain attestation", metadata: ["requestId": "\(attestation.requestId)", "error": "\(error)"])
            return
        }
        do {
            if try await store.record(attestation) {
                chains.attestationsStored.publish(attestation.requestId)
            } else if let kept = try await store.attestations(requestId: attestation.requestId).first(where: { $0.address == attestation.address }),
                      kept.outputHash != attestation.outputHash || kept.validInferenceJointHash != attestation.validInferenceJointHash {
                logger.warning("a wallet signed two answers to one chain request", metadata: [
                    "requestId": "\(attestation.requestId)", "wallet": "\(attestation.address)",
                ])
                chains.equivocated(Equivocation(first: kept, second: attestation))
            }
        } catch {
            logger.error("cannot store a chain attestation", metadata: ["requestId": "\(attestation.requestId)", "error": "\(error)"])
        }
    }

    /// The verified attestations of a chain request, by wallet address.
    public func chainAttestations(requestId: String) async throws -> [ChainAttestation] {
        try await chains.store?.attestations(requestId: requestId) ?? []
    }
}
