public import Foundation

/// `peerHeart`: the reference's playful liveness signal; throttled on intake.
public struct PeerHeart: Codable, Sendable, Hashable {
    public var windowX: Double
    public var windowY: Double
    public var createdAt: Date

    public init(windowX: Double, windowY: Double, createdAt: Date) {
        self.windowX = windowX
        self.windowY = windowY
        self.createdAt = createdAt
    }
}
