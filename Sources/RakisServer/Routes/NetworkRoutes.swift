import Foundation
import Hummingbird
import RakisCore
import RakisNode

/// `GET /api/peers` and `GET /api/packets`.
struct NetworkRoutes: Sendable {
    let node: RakisNode

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("peers") { request, _ -> PeerList in
            let limit = try request.integerQuery("limit", in: 1...1000, default: 100)
            let peers = try await node.peers(limit: limit)
            return PeerList(peers: peers.map {
                PeerView(synthientId: $0.synthientId, seenOn: $0.seenOn, lastSeen: $0.lastSeenDate, totalTokens: $0.totalTokens,
                         totalWorkers: $0.totalWorkers, deviceInfo: $0.deviceInfo, chainIdentities: $0.chainIdentities,
                         equivocations: $0.equivocations)
            })
        }
        api.get("packets") { request, _ -> PacketList in
            let limit = try request.integerQuery("limit", in: 1...1000, default: 100)
            var type: PacketType?
            if let name = request.uri.queryParameters.get("type") {
                guard let known = PacketType(rawValue: name) else {
                    let names = PacketType.allCases.map(\.rawValue).joined(separator: ", ")
                    throw APIError.badRequest("unknown packet type \(name.debugDescription); one of \(names)")
                }
                type = known
            }
            let own = node.identity.synthientId
            let rows = try await node.packets(limit: limit, type: type)
            return PacketList(packets: rows.map { Self.view($0, own: own) })
        }
    }

    static func view(_ row: StoredPacket, own: String) -> PacketView {
        PacketView(
            type: row.type, synthientId: row.synthientId, requestId: row.requestId, createdAt: Date(timeIntervalSince1970: row.createdAt),
            receivedTime: Date(timeIntervalSince1970: row.receivedTime), deliveredThrough: row.deliveredThrough,
            own: row.synthientId == own && row.deliveredThrough == nil, packet: row.packet)
    }

    static func view(_ received: ReceivedPacket) -> PacketView {
        PacketView(
            type: received.type.rawValue, synthientId: received.synthientId, requestId: received.requestId,
            createdAt: received.createdAt, receivedTime: received.receivedTime, deliveredThrough: received.deliveredThrough,
            own: received.deliveredThrough == nil, packet: String(decoding: received.transmitted.canonicalPacket, as: UTF8.self))
    }
}
