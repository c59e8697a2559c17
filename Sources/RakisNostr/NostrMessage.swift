public import RakisCore
import RakisP2P

/// What a relay sends a client (NIP-01), parsed from one WebSocket text message.
public enum RelayMessage: Sendable, Equatable {
    case event(subscriptionId: String, event: JSONValue)
    case ok(eventId: String, accepted: Bool, message: String)
    case endOfStoredEvents(subscriptionId: String)
    case closed(subscriptionId: String, message: String)
    case notice(String)
    case auth(challenge: String)

    public init(parsing bytes: some Collection<UInt8>, maxBytes: Int) throws(NostrEventError) {
        let json: JSONValue
        do { json = try JSONParser(maxDepth: 16, maxBytes: maxBytes).parse(bytes) } catch {
            throw .malformed("relay message is not JSON: \(error)")
        }
        guard case .array(let items) = json, case .string(let label)? = items.first else {
            throw .malformed("relay message must be an array starting with its type")
        }
        func string(_ index: Int) throws(NostrEventError) -> String {
            guard index < items.count, case .string(let text) = items[index] else {
                throw .malformed("\(label) message needs a string at position \(index)")
            }
            return text
        }
        switch label {
        case "EVENT":
            guard items.count >= 3 else { throw .malformed("EVENT message needs a subscription id and an event") }
            self = .event(subscriptionId: try string(1), event: items[2])
        case "OK":
            guard items.count >= 3, case .bool(let accepted) = items[2] else { throw .malformed("OK message needs an id and a boolean") }
            self = .ok(eventId: try string(1), accepted: accepted, message: items.count > 3 ? (try string(3)) : "")
        case "EOSE": self = .endOfStoredEvents(subscriptionId: try string(1))
        case "CLOSED": self = .closed(subscriptionId: try string(1), message: items.count > 2 ? (try string(2)) : "")
        case "NOTICE": self = .notice(try string(1))
        case "AUTH": self = .auth(challenge: try string(1))
        default: throw .malformed("unknown relay message type \(label)")
        }
    }
}

/// What a client sends a relay (NIP-01).
public enum ClientMessage: Sendable {
    case event(NostrEvent)
    /// One subscription of several filters (NIP-01 ORs them); a second `REQ` with the same id
    /// replaces the first.
    case request(subscriptionId: String, filters: [NostrFilter])
    case close(subscriptionId: String)

    public var text: String {
        let json: JSONValue = switch self {
        case .event(let event): .array([.string("EVENT"), event.json])
        case .request(let id, let filters): .array([.string("REQ"), .string(id)] + filters.map(\.json))
        case .close(let id): .array([.string("CLOSE"), .string(id)])
        }
        return CanonicalJSON.string(of: json)
    }
}

/// A subscription filter: events of some kinds, with tag values (`#t`, `#e`, …) and since a time.
public struct NostrFilter: Sendable, Equatable {
    public var kinds: [Int]
    /// Single-letter tag names (without `#`) and the values one of which an event must carry.
    public var tags: [String: [String]]
    public var since: Int?

    public init(kinds: [Int], tags: [String: [String]] = [:], since: Int? = nil) {
        self.kinds = kinds
        self.tags = tags
        self.since = since
    }

    /// Rakis packet events of one topic.
    public init(kinds: [Int], topic: String, since: Int?) {
        self.init(kinds: kinds, tags: ["t": [topic]], since: since)
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = ["kinds": .array(kinds.map { .number(Double($0)) })]
        for (name, values) in tags { members["#" + name] = .array(values.map(JSONValue.string)) }
        if let since { members["since"] = .number(Double(since)) }
        return .object(members)
    }
}
