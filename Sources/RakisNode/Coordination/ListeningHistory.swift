import Foundation
import RakisCoordination
import Synchronization

/// When this node last heard nothing (`ListeningGap`): set once its transports are up, read by
/// the scheduler for every quorum that waits for reveals.
final class ListeningHistory: Sendable {
    private let gap = Mutex<ListeningGap?>(nil)

    var lastGap: ListeningGap? { gap.withLock { $0 } }

    func record(_ newGap: ListeningGap) {
        gap.withLock { $0 = newGap }
    }
}
