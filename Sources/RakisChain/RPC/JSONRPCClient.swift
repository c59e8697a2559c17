public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
public import RakisCore

/// Standard Ethereum JSON-RPC 2.0 over HTTP, as geth, anvil and public RPC endpoints speak it:
/// single calls and batches, each with a deadline, and typed errors.
public struct JSONRPCClient: Sendable {
    public let url: String
    public let timeout: Duration
    private let http: HTTPClient
    /// Answers larger than this (a huge log range, a hostile node) are refused, not buffered.
    private static let maxAnswerBytes = 32 << 20

    public init(url: String, timeout: Duration = .seconds(10), http: HTTPClient = .shared) {
        self.url = url
        self.timeout = timeout
        self.http = http
    }

    /// One call; its `result`, or the node's error as `.rpc`.
    public func call(_ method: String, _ params: [JSONValue] = []) async throws(ChainRPCError) -> JSONValue {
        let answer = try await send(.object(Self.request(method, params, id: 1)))
        return try Self.result(of: answer, method: method, url: url)
    }

    /// Several calls in one request; their answers in the order of `calls`, each a result or
    /// its own error (a batch can partly fail).
    public func batch(_ calls: [(method: String, params: [JSONValue])]) async throws(ChainRPCError) -> [Result<JSONValue, ChainRPCError>] {
        guard !calls.isEmpty else { return [] }
        let answer = try await send(.array(calls.enumerated().map { .object(Self.request($1.method, $1.params, id: $0 + 1)) }))
        guard case .array(let answers) = answer else { throw .malformedResponse(url: url, reason: "a batch answered with a \(answer.typeName)") }
        var byId: [Int: JSONValue] = [:]
        for answer in answers {
            guard case .number(let id)? = answer["id"], let index = Int(exactly: id) else { continue }
            byId[index] = answer
        }
        return calls.enumerated().map { index, call in
            guard let answer = byId[index + 1] else {
                return .failure(.malformedResponse(url: url, reason: "no answer to \(call.method) in the batch"))
            }
            return Result { () throws(ChainRPCError) in try Self.result(of: answer, method: call.method, url: url) }
        }
    }

    private static func request(_ method: String, _ params: [JSONValue], id: Int) -> [String: JSONValue] {
        ["jsonrpc": .string("2.0"), "id": .number(Double(id)), "method": .string(method), "params": .array(params)]
    }

    private static func result(of answer: JSONValue, method: String, url: String) throws(ChainRPCError) -> JSONValue {
        guard case .object(let members) = answer, members["jsonrpc"]?.stringValue == "2.0" else {
            throw .malformedResponse(url: url, reason: "not a JSON-RPC 2.0 answer to \(method)")
        }
        if let error = members["error"] {
            guard case .number(let code)? = error["code"] else { throw .malformedResponse(url: url, reason: "an error without a code") }
            throw .rpc(method: method, code: Int(code), message: error["message"]?.stringValue ?? "no message")
        }
        guard let result = members["result"] else { throw .malformedResponse(url: url, reason: "an answer to \(method) without a result") }
        return result
    }

    private func send(_ body: JSONValue) async throws(ChainRPCError) -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.bytes(of: body)))
        let seconds = Int(timeout.components.seconds)
        let bytes: ByteBuffer
        let status: UInt
        do {
            let response = try await http.execute(request, timeout: .seconds(Int64(seconds)))
            status = response.status.code
            bytes = try await response.body.collect(upTo: Self.maxAnswerBytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .timedOut(url: url, seconds: seconds)
        } catch {
            throw .unreachable(url: url, reason: "\(error)")
        }
        let data = Array(bytes.readableBytesView)
        guard status == 200 else { throw .httpStatus(url: url, status: Int(status), body: String(decoding: data.prefix(500), as: UTF8.self)) }
        do {
            return try JSONParser(maxDepth: 64, maxBytes: Self.maxAnswerBytes).parse(data)
        } catch {
            throw .malformedResponse(url: url, reason: "not JSON (\(error))")
        }
    }
}
