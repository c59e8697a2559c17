import Foundation
import Logging
import RakisCore
import RakisEthereum

/// The chain identities bound to this node, announced to its peers.
extension RakisNode {
    /// Sends the chain identities bound to this node (`rakis chain bind`) in a `peerConnectedChain`
    /// packet, those that verify: peers drop any other, so sending it would only cost them.
    public func announceChainIdentities() async throws {
        let stored: [ChainIdentity]
        do { stored = try ChainIdentityFile.read(dataDirectory) } catch {
            logger.error("cannot read the chain identities; none announced", metadata: ["file": "\(ChainIdentityFile.fileName)", "error": "\(error)"])
            return
        }
        let verified = stored.filter { identity in
            do {
                _ = try ChainIdentityCheck.verify(identity, sentBy: self.identity.synthientId)
                return true
            } catch {
                logger.error("a stored chain identity does not verify; not announced (bind it again)", metadata: ["chain": "\(identity.chain)", "error": "\(error)"])
                return false
            }
        }
        guard !verified.isEmpty else { return }
        try await p2p.transmit(.peerConnectedChain(PeerConnectedChain(identities: verified, createdAt: clock.now())))
        logger.info("announced chain identities", metadata: ["addresses": "\(verified.map(\.address).joined(separator: ", "))"])
    }
}
