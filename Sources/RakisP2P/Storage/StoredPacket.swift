import Foundation
public import GRDB
public import RakisCore

/// A packet row as persisted: the signed canonical bytes plus the columns the queries need.
public struct StoredPacket: Sendable, Codable, FetchableRecord, TableRecord {
    public static let databaseTableName = "packet"

    public var id: Int64
    public var synthientId: String
    public var signature: String
    public var type: String
    public var requestId: String?
    public var createdAt: Double
    public var receivedTime: Double
    public var deliveredThrough: String?
    /// Canonical JSON of the signed packet.
    public var packet: String

    /// The packet as it was transmitted, its signature checked again; nil when that fails (the
    /// file was changed underneath us).
    public func transmitted() -> TransmittedPacket? {
        guard let packetJSON = try? JSONParser(maxDepth: 64, maxBytes: .max).parse(packet) else { return nil }
        let envelope: JSONValue = .object(["packet": packetJSON, "signature": .string(signature), "synthientId": .string(synthientId)])
        return try? PacketEnvelope.decode(json: envelope).verify()
    }

    /// Decodes the stored packet. Rows were verified before they were written, so failure here
    /// means the file was changed underneath us.
    public func decoded() throws(PacketDecodingError) -> Packet {
        do {
            return try PacketCoding.packet(from: try JSONParser(maxDepth: 64, maxBytes: .max).parse(packet))
        } catch let error as PacketDecodingError {
            throw error
        } catch let error as JSONParseError {
            throw .malformedJSON(error)
        } catch {
            throw .invalidValue(field: "packet", reason: "\(error)")
        }
    }
}
