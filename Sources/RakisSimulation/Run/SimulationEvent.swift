import RakisCore

/// What happens at one moment of a simulation.
enum SimulationEvent: Sendable {
    /// Request number `n` is sent by a node drawn at random.
    case submit(Int)
    case deliver(node: Int, packet: SimulatedPacket)
    case pass(node: Int)
    case inferenceDone(node: Int, requestId: String)
    case verified(node: Int, requestId: String)
    /// A node sends a packet it prepared earlier (to every node when `to` is nil), unless it
    /// restarted since (`generation`).
    case send(node: Int, packet: Packet, to: [Int]?, generation: Int)
    case copyAttempt(node: Int, requestId: String)
    case down(node: Int)
    case up(node: Int)
    /// The node keeps running but reaches no one, until `.online`.
    case offline(node: Int)
    case online(node: Int)
    /// A spammer's request number `number`.
    case spam(node: Int, number: Int)

    /// A small number per kind, for the trace.
    var code: UInt8 {
        switch self {
        case .submit: 1
        case .deliver: 2
        case .pass: 3
        case .inferenceDone: 4
        case .verified: 5
        case .send: 6
        case .copyAttempt: 7
        case .down: 8
        case .up: 9
        case .spam: 10
        case .offline: 11
        case .online: 12
        }
    }

    var node: Int {
        switch self {
        case .submit(let n): -1 - n
        case .deliver(let node, _), .pass(let node), .inferenceDone(let node, _), .verified(let node, _), .send(let node, _, _, _),
            .copyAttempt(let node, _), .down(let node), .up(let node), .spam(let node, _), .offline(let node), .online(let node):
            node
        }
    }
}
