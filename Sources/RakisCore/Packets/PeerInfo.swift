public import Foundation

/// `peerInfo`: informational device description.
public struct PeerInfo: Codable, Sendable, Hashable {
    public var deviceInfo: String
    public var createdAt: Date

    public init(deviceInfo: String, createdAt: Date) {
        self.deviceInfo = deviceInfo
        self.createdAt = createdAt
    }
}
