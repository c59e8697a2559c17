/// Why a JSON-RPC call to a chain node failed, each case saying what to look at.
public enum ChainRPCError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No connection: the node is down or the URL is wrong.
    case unreachable(url: String, reason: String)
    /// No answer within the time allowed.
    case timedOut(url: String, seconds: Int)
    /// An HTTP status other than 200.
    case httpStatus(url: String, status: Int, body: String)
    /// An answer that is not JSON-RPC 2.0, or not what the method returns.
    case malformedResponse(url: String, reason: String)
    /// The node answered with a JSON-RPC error (a reverted call is code 3).
    case rpc(method: String, code: Int, message: String)
    /// The node is on another chain than the one configured.
    case wrongChain(url: String, expected: UInt64, found: UInt64)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): "cannot reach the chain node at \(url): \(reason); is it running, and is the URL right?"
        case .timedOut(let url, let seconds): "the chain node at \(url) did not answer within \(seconds) s"
        case .httpStatus(let url, let status, let body): "the chain node at \(url) answered HTTP \(status): \(body.prefix(200))"
        case .malformedResponse(let url, let reason): "the chain node at \(url) sent an answer rakis cannot read: \(reason)"
        case .rpc(let method, let code, let message): "\(method) failed (JSON-RPC error \(code)): \(message)"
        case .wrongChain(let url, let expected, let found):
            "the chain node at \(url) is on chain id \(found), not \(expected); check the RPC URL and the chain's settings"
        }
    }
}
