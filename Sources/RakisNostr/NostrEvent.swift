import Crypto
public import RakisCore
import RakisP2P

/// A NIP-01 event. Rakis packets travel as the `content` of events of kind
/// `NostrEvent.packetKind`, tagged with the network topic and a NIP-40 expiration.
public struct NostrEvent: Sendable, Equatable {
    /// A regular (stored) kind, so that a node resubscribing after a reconnect gets what it missed.
    public static let packetKind = 2777

    public var id: String
    public var pubkey: String
    public var createdAt: Int
    public var kind: Int
    public var tags: [[String]]
    public var content: String
    public var sig: String

    /// Builds and signs an event: the id is the SHA-256 of the NIP-01 serialization, the
    /// signature BIP-340 over the id.
    public static func signed(
        kind: Int, tags: [[String]], content: String, createdAt: Int, by keys: BIP340.KeyPair, auxRand: [UInt8]? = nil
    ) throws(BIP340Error) -> NostrEvent {
        let pubkey = Hex.encode(keys.publicKey)
        let id = idBytes(pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        let signature = try keys.sign(message: id, auxRand: auxRand)
        return NostrEvent(
            id: Hex.encode(id), pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content,
            sig: Hex.encode(signature))
    }

    /// `[0,pubkey,created_at,kind,tags,content]` without whitespace. NIP-01's escaping (only
    /// `"` `\` and the control characters, the short forms for \b \t \n \f \r, UTF-8 otherwise)
    /// is JSON.stringify's, which is also RFC 8785's for strings, so `CanonicalJSON` writes it.
    public static func serializationForId(pubkey: String, createdAt: Int, kind: Int, tags: [[String]], content: String) -> [UInt8] {
        CanonicalJSON.bytes(of: .array([
            .number(0), .string(pubkey), .number(Double(createdAt)), .number(Double(kind)),
            .array(tags.map { .array($0.map(JSONValue.string)) }), .string(content),
        ]))
    }

    static func idBytes(pubkey: String, createdAt: Int, kind: Int, tags: [[String]], content: String) -> [UInt8] {
        Array(SHA256.hash(data: serializationForId(pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)))
    }

    /// Checks that the id is the hash of the event and the signature is the pubkey's over it.
    /// Relays are not trusted to have done so.
    public func verify() throws(NostrEventError) {
        let computed = Self.idBytes(pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        guard Hex.encode(computed) == id else { throw .idMismatch(id: id) }
        guard let signature = Hex.decode(sig), let key = Hex.decode(pubkey),
              BIP340.isValid(signature: signature, message: computed, publicKey: key)
        else { throw .badSignature(id: id) }
    }

    /// The value of the first tag with this name.
    public func tag(_ name: String) -> String? {
        tags.first { $0.count >= 2 && $0[0] == name }?[1]
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "pubkey": .string(pubkey), "created_at": .number(Double(createdAt)),
            "kind": .number(Double(kind)), "tags": .array(tags.map { .array($0.map(JSONValue.string)) }),
            "content": .string(content), "sig": .string(sig),
        ])
    }

    /// Reads an event from a relay, checking every field's shape (not yet the signature).
    public init(json: JSONValue) throws(NostrEventError) {
        guard case .object(let members) = json else { throw .malformed("an event must be a JSON object") }
        func hex(_ name: String, bytes: Int) throws(NostrEventError) -> String {
            guard case .string(let text)? = members[name], Hex.isLowercaseHex(text, byteCount: bytes) else {
                throw .malformed("\(name) must be \(bytes * 2) lower-case hex digits")
            }
            return text
        }
        func integer(_ name: String, in range: ClosedRange<Int>) throws(NostrEventError) -> Int {
            guard case .number(let number)? = members[name], number == number.rounded(), let value = Int(exactly: number),
                  range.contains(value)
            else { throw .malformed("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)") }
            return value
        }
        id = try hex("id", bytes: 32)
        pubkey = try hex("pubkey", bytes: 32)
        sig = try hex("sig", bytes: 64)
        createdAt = try integer("created_at", in: 0...(1 << 40))
        kind = try integer("kind", in: 0...65535)
        guard case .string(let text)? = members["content"] else { throw .malformed("content must be a string") }
        content = text
        guard case .array(let tagValues)? = members["tags"] else { throw .malformed("tags must be an array") }
        var parsed: [[String]] = []
        for value in tagValues {
            guard case .array(let items) = value else { throw .malformed("each tag must be an array of strings") }
            var tag: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw .malformed("each tag must be an array of strings") }
                tag.append(s)
            }
            parsed.append(tag)
        }
        tags = parsed
    }

    public init(id: String, pubkey: String, createdAt: Int, kind: Int, tags: [[String]], content: String, sig: String) {
        self.id = id
        self.pubkey = pubkey
        self.createdAt = createdAt
        self.kind = kind
        self.tags = tags
        self.content = content
        self.sig = sig
    }
}

public enum NostrEventError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case idMismatch(id: String)
    case badSignature(id: String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed Nostr event: \(reason)"
        case .idMismatch(let id): "Nostr event \(id) does not hash to its id"
        case .badSignature(let id): "Nostr event \(id) has an invalid BIP-340 signature"
        }
    }
}
