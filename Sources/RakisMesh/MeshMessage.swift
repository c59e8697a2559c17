public import RakisCore
import RakisP2P

/// One WebSocket text frame between mesh nodes.
///
/// A connection opens with each side sending a `challenge`; each answers the other's with a
/// `hello` that signs the challenge with its Ed25519 identity, which binds the connection to
/// a synthientId and cannot be replayed. After that: `packet` frames (an envelope and the hops
/// it may still travel) and `peers` frames (listen addresses, so a node finds the rest of the
/// mesh from one bootstrap peer). Right after the hellos each side sends `catchUp`, and the
/// other answers with `packets` frames holding what it sent or passed on in that many seconds.
///
/// Gossip is lazy beyond a small fan-out (as gossipsub's IHAVE/IWANT): a node announces the ids
/// of packets it passes on (`ihave`), a peer that lacks one asks for it (`iwant`) and gets it in a
/// `packets` frame. `neighbors` tells each peer whom this node is connected to, so that a peer
/// that got a packet straight from its signer neither pushes nor announces it to the signer's
/// other peers, which the signer sent it to itself.
public enum MeshMessage: Sendable, Equatable {
    case challenge(nonce: String)
    case hello(MeshHello)
    case packet(hops: Int, envelope: String)
    case peers([String])
    /// "Send me what you sent or passed on in the last `seconds`."
    case catchUp(seconds: Int)
    /// Several packets in one frame (a catch-up), each with the hops it may still travel.
    case packets([MeshPacket])
    /// "I have these packets" (their ids: SHA-256 of the envelope, hex).
    case ihave([String])
    /// "Send me these packets", answering an `ihave`.
    case iwant([String])
    /// The synthientIds this node is connected to.
    case neighbors([String])

    /// Ids or synthientIds one frame may carry at most.
    public static let maxIdsPerFrame = 4096

    public init(parsing text: String, maxBytes: Int) throws(MeshProtocolError) {
        let json: JSONValue
        do { json = try JSONParser(maxDepth: 8, maxBytes: maxBytes).parse(Array(text.utf8)) } catch {
            throw .malformed("frame is not JSON: \(error)")
        }
        guard case .object(let members) = json, case .string(let type)? = members["type"] else {
            throw .malformed("frame must be an object with a type")
        }
        func string(_ name: String) throws(MeshProtocolError) -> String {
            guard case .string(let value)? = members[name] else { throw .malformed("\(type) frame needs a string \(name)") }
            return value
        }
        func integer(_ name: String, in range: ClosedRange<Int>) throws(MeshProtocolError) -> Int {
            guard case .number(let n)? = members[name], let value = Int(exactly: n), range.contains(value) else {
                throw .malformed("\(type) frame needs an integer \(name) in \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }
        switch type {
        case "challenge":
            let nonce = try string("nonce")
            guard Hex.isLowercaseHex(nonce, byteCount: 32) else { throw .malformed("challenge nonce must be 64 hex digits") }
            self = .challenge(nonce: nonce)
        case "hello":
            let advertise: String? = if case .string(let url)? = members["advertise"] { url } else { nil }
            self = .hello(MeshHello(
                synthientId: try string("synthientId"), topic: try string("topic"), nonce: try string("nonce"),
                listenPort: try integer("listenPort", in: 0...65535), advertise: advertise, signature: try string("signature")))
        case "packet":
            self = .packet(hops: try integer("hops", in: 0...255), envelope: try string("envelope"))
        case "peers":
            guard case .array(let items)? = members["addresses"], items.count <= 256 else {
                throw .malformed("peers frame needs an array of at most 256 addresses")
            }
            var addresses: [String] = []
            for item in items {
                guard case .string(let address) = item, address.utf8.count <= 256 else { throw .malformed("peer addresses must be short strings") }
                addresses.append(address)
            }
            self = .peers(addresses)
        case "catchUp":
            self = .catchUp(seconds: try integer("seconds", in: 0...86_400))
        case "packets":
            self = .packets(try Self.packets(members["items"]))
        case "ihave":
            self = .ihave(try Self.ids(members["ids"], name: "ids", in: type))
        case "iwant":
            self = .iwant(try Self.ids(members["ids"], name: "ids", in: type))
        case "neighbors":
            self = .neighbors(try Self.ids(members["synthientIds"], name: "synthientIds", in: type))
        default:
            throw .malformed("unknown frame type \(type)")
        }
    }

    private static func packets(_ value: JSONValue?) throws(MeshProtocolError) -> [MeshPacket] {
        guard case .array(let items)? = value else { throw .malformed("packets frame needs an array of items") }
        var packets: [MeshPacket] = []
        for item in items {
            guard case .number(let n)? = item["hops"], let hops = Int(exactly: n), (0...255).contains(hops),
                  case .string(let envelope)? = item["envelope"]
            else { throw .malformed("packets items need hops in 0...255 and an envelope string") }
            packets.append(MeshPacket(hops: hops, envelope: envelope))
        }
        return packets
    }

    /// An array of ids (64 lowercase hex digits each), at most `maxIdsPerFrame` of them.
    private static func ids(_ value: JSONValue?, name: String, in type: String) throws(MeshProtocolError) -> [String] {
        guard case .array(let items)? = value, items.count <= maxIdsPerFrame else {
            throw .malformed("\(type) frame needs an array \(name) of at most \(maxIdsPerFrame) items")
        }
        var ids: [String] = []
        ids.reserveCapacity(items.count)
        for item in items {
            guard case .string(let id) = item, Hex.isLowercaseHex(id, byteCount: 32) else {
                throw .malformed("\(type) \(name) must be 64 lowercase hex digits each")
            }
            ids.append(id)
        }
        return ids
    }

    public var text: String {
        let json: JSONValue = switch self {
        case .challenge(let nonce): .object(["type": .string("challenge"), "nonce": .string(nonce)])
        case .hello(let hello): .object(hello.signedFields.merging(["signature": .string(hello.signature)]) { a, _ in a })
        case .packet(let hops, let envelope): .object(["type": .string("packet"), "hops": .number(Double(hops)), "envelope": .string(envelope)])
        case .peers(let addresses): .object(["type": .string("peers"), "addresses": .array(addresses.map(JSONValue.string))])
        case .catchUp(let seconds): .object(["type": .string("catchUp"), "seconds": .number(Double(seconds))])
        case .packets(let packets):
            .object(["type": .string("packets"), "items": .array(packets.map {
                .object(["hops": .number(Double($0.hops)), "envelope": .string($0.envelope)])
            })])
        case .ihave(let ids): .object(["type": .string("ihave"), "ids": .array(ids.map(JSONValue.string))])
        case .iwant(let ids): .object(["type": .string("iwant"), "ids": .array(ids.map(JSONValue.string))])
        case .neighbors(let ids): .object(["type": .string("neighbors"), "synthientIds": .array(ids.map(JSONValue.string))])
        }
        return CanonicalJSON.string(of: json)
    }
}

/// A packet as the mesh carries it: its envelope and the hops it may still travel.
public struct MeshPacket: Sendable, Equatable {
    public var hops: Int
    public var envelope: String

    public init(hops: Int, envelope: String) {
        self.hops = hops
        self.envelope = envelope
    }
}

/// The answer to a peer's challenge: who this node is, on which topic, and where it listens.
public struct MeshHello: Sendable, Equatable {
    public var synthientId: String
    public var topic: String
    /// The challenge nonce of the side receiving this hello.
    public var nonce: String
    /// The port this node accepts mesh connections on (0: it does not listen).
    public var listenPort: Int
    /// The address others should dial, when the sender knows it better than its peer's view of it.
    public var advertise: String?
    public var signature: String

    var signedFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "type": .string("hello"), "synthientId": .string(synthientId), "topic": .string(topic), "nonce": .string(nonce),
            "listenPort": .number(Double(listenPort)),
        ]
        if let advertise { fields["advertise"] = .string(advertise) }
        return fields
    }

    public static func signed(by identity: NodeIdentity, topic: String, nonce: String, listenPort: Int, advertise: String?) -> MeshHello {
        var hello = MeshHello(synthientId: identity.synthientId, topic: topic, nonce: nonce, listenPort: listenPort, advertise: advertise, signature: "")
        hello.signature = identity.signature(for: CanonicalJSON.bytes(of: .object(hello.signedFields)))
        return hello
    }

    /// Whether this hello answers `nonce` and is signed by the synthientId it names.
    public func isValid(answering nonce: String) -> Bool {
        self.nonce == nonce && Hex.isLowercaseHex(synthientId, byteCount: 32)
            && PacketSignature.isValid(signature: signature, synthientId: synthientId, message: CanonicalJSON.bytes(of: .object(signedFields)))
    }
}

public enum MeshProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case violation(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed mesh frame: \(reason)"
        case .violation(let reason): "mesh protocol violation: \(reason)"
        }
    }
}
