import AsyncHTTPClient
import Foundation
import NIOCore
public import RakisCore
import RakisP2P

/// How large an event a relay takes: the `limitation` of its NIP-11 information document where
/// it serves one, otherwise an assumption small enough for common relays. Lowered further when
/// the relay refuses an event anyway.
public struct RelayLimits: Sendable, Equatable {
    /// The longest WebSocket message the relay reads (`max_message_length`).
    public var maxMessageLength: Int
    /// The longest event content it stores, in characters (`max_content_length`).
    public var maxContentLength: Int

    /// For relays that publish no limits: `nostr-relay`'s default of 4,096 characters of
    /// content, which many public relays also stay near.
    public static let assumed = RelayLimits(maxMessageLength: 65_536, maxContentLength: 4_096)
    /// Below this, shrinking after a refusal stops: such a relay cannot carry rakis packets.
    public static let floor = RelayLimits(maxMessageLength: 2_048, maxContentLength: 512)

    public init(maxMessageLength: Int, maxContentLength: Int) {
        self.maxMessageLength = maxMessageLength
        self.maxContentLength = maxContentLength
    }

    /// The limits a NIP-11 document states; what it leaves out stays as in `fallback`.
    public init(nip11 document: JSONValue, fallback: RelayLimits = .assumed) {
        self = fallback
        guard let limitation = document["limitation"] else { return }
        if case .number(let n)? = limitation["max_message_length"], n >= Double(Self.floor.maxMessageLength), n < 1e9 {
            maxMessageLength = Int(n)
        }
        if case .number(let n)? = limitation["max_content_length"], n >= Double(Self.floor.maxContentLength), n < 1e9 {
            maxContentLength = Int(n)
        }
    }

    /// The limits that fit both (one set of events goes to every relay).
    public func tightest(_ other: RelayLimits) -> RelayLimits {
        RelayLimits(maxMessageLength: min(maxMessageLength, other.maxMessageLength), maxContentLength: min(maxContentLength, other.maxContentLength))
    }

    /// Limits below an event of `contentLength` characters that was refused, or nil when they
    /// are at the floor already: first the common assumption, then half of what was refused.
    public func shrunk(below contentLength: Int) -> RelayLimits? {
        let refused = min(maxContentLength, contentLength)
        let target = refused > Self.assumed.maxContentLength ? Self.assumed.maxContentLength : refused / 2
        let content = max(Self.floor.maxContentLength, target)
        guard content < min(maxContentLength, contentLength) else { return nil }
        return RelayLimits(maxMessageLength: maxMessageLength, maxContentLength: content)
    }

    /// Whether a signed event fits, content and whole `EVENT` message.
    func admits(_ event: NostrEvent) -> Bool {
        event.content.utf8.count <= maxContentLength && ClientMessage.event(event).text.utf8.count <= maxMessageLength
    }

    /// The NIP-11 document's address: the relay's URL over HTTP(S).
    static func informationURL(relay url: String) -> String? {
        if url.hasPrefix("wss://") { return "https://" + url.dropFirst(6) }
        if url.hasPrefix("ws://") { return "http://" + url.dropFirst(5) }
        return nil
    }

    /// Reads the relay's NIP-11 document; nil when it serves none (or is unreachable).
    public static func fetch(relay url: String, fallback: RelayLimits, timeout: Duration = .seconds(5)) async -> RelayLimits? {
        guard let address = informationURL(relay: url) else { return nil }
        var request = HTTPClientRequest(url: address)
        request.headers.add(name: "Accept", value: "application/nostr+json")
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            guard response.status == .ok else { return nil }
            let body = try await response.body.collect(upTo: 256 * 1024)
            let document = try JSONParser(maxDepth: 16, maxBytes: 256 * 1024).parse(Array(body.readableBytesView))
            guard case .object = document else { return nil }
            return RelayLimits(nip11: document, fallback: fallback)
        } catch {
            return nil
        }
    }
}
