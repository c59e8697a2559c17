/// Events sent in this session and not yet answered with OK, in the order they were sent.
struct UnacknowledgedEvents: Sendable {
    private var byId: [String: NostrEvent] = [:]
    private var order: [String] = []

    var count: Int { byId.count }
    var inOrder: [NostrEvent] { order.compactMap { byId[$0] } }

    mutating func sent(_ event: NostrEvent) {
        guard byId.updateValue(event, forKey: event.id) == nil else { return }
        order.append(event.id)
    }

    mutating func answered(_ id: String) -> NostrEvent? {
        guard let event = byId.removeValue(forKey: id) else { return nil }
        if order.first == id { order.removeFirst() } else { order.removeAll { $0 == id } }
        return event
    }

    mutating func oldest() -> NostrEvent? {
        while !order.isEmpty {
            if let event = byId.removeValue(forKey: order.removeFirst()) { return event }
        }
        return nil
    }
}
