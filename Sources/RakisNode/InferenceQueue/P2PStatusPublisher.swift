import Foundation
public import Logging
public import RakisCore
public import RakisP2P

/// Announces the queue's status changes to the network as signed `peerStatusUpdate` packets.
public struct P2PStatusPublisher: PeerStatusPublisher {
    let p2p: P2PLayer
    let clock: any NodeClock
    let logger: Logger

    public init(p2p: P2PLayer, clock: any NodeClock = SystemClock(), logger: Logger = Logger(label: "rakis.domain.status")) {
        self.p2p = p2p
        self.clock = clock
        self.logger = logger
    }

    public func publish(_ status: PeerStatusUpdate.Status) async {
        do {
            try await p2p.transmit(.peerStatusUpdate(PeerStatusUpdate(status: status, createdAt: clock.now())))
        } catch {
            // A status packet is informational: losing one is logged, never fatal.
            logger.warning("could not send a status update", metadata: ["status": "\(status.name)", "error": "\(error)"])
        }
    }
}
