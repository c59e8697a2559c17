public import Foundation
public import RakisCore
public import Hummingbird

public struct PeerView: Codable, Sendable {
    public let synthientId: String
    /// The transports its packets arrived through.
    public let seenOn: [String]
    public let lastSeen: Date
    public let totalTokens: Int
    public let totalWorkers: Int
    public let deviceInfo: String?
    /// Chain addresses bound to the peer, each verified on arrival (EIP-55 addresses).
    public let chainIdentities: [ChainIdentity]
    /// Requests on which the peer signed two different commits or reveals (equivocation).
    public let equivocations: Int
}

public struct PeerList: Codable, Sendable, ResponseEncodable {
    public let peers: [PeerView]
}

public struct PacketView: Codable, Sendable {
    public let type: String
    public let synthientId: String
    public let requestId: String?
    public let createdAt: Date
    public let receivedTime: Date
    /// The transport it came through; absent for this node's own packets.
    public let deliveredThrough: String?
    public let own: Bool
    /// The signed packet as canonical JSON.
    public let packet: String
}

public struct PacketList: Codable, Sendable, ResponseEncodable {
    public let packets: [PacketView]
}

public struct LogEntry: Codable, Sendable {
    public let time: Date
    public let level: String
    public let label: String
    public let message: String
    public let metadata: [String: String]
}

public struct LogList: Codable, Sendable, ResponseEncodable {
    public let logs: [LogEntry]
}
