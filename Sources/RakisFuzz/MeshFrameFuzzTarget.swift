import RakisCore
import RakisMesh

extension FuzzTarget {
    /// A mesh peer's text frames (challenge, hello, packet, peers, catchUp, packets, ihave, iwant,
    /// neighbors): whatever parses must print as a frame that parses to the same message; a
    /// hello's signature is checked.
    static let meshFrame = FuzzTarget(name: "mesh-frame", summary: "MeshMessage frames and hellos (round trip)") { bytes throws(FuzzFinding) in
        let text = String(decoding: bytes, as: UTF8.self)
        guard let message = try? MeshMessage(parsing: text, maxBytes: 1 << 20) else { return }
        if case .hello(let hello) = message { _ = hello.isValid(answering: hello.nonce) }
        let printed = message.text
        let again: MeshMessage
        do { again = try MeshMessage(parsing: printed, maxBytes: 1 << 20) } catch {
            throw FuzzFinding("a printed frame does not parse: \(error); frame: \(printed)")
        }
        try FuzzFinding.require(again == message, "parse → print → parse changed the frame: \(message) became \(again)")
    }
}
