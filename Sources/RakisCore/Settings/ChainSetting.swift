/// One chain a node watches (layer 5): where its JSON-RPC node is and which inbox contract to
/// read. In config.json an object of the `chains` array; on the command line and in
/// `RAKIS_CHAINS`, `NAME=URL@INBOX` (several separated by commas), the rest at its default.
public struct ChainSetting: Sendable, Equatable {
    public var name: String
    public var rpcURL: String
    /// The inbox contract's address, `0x` and 40 hex digits.
    public var inbox: String
    /// Blocks a request must have on top of it before the node acts on it.
    public var confirmations: Int = 2
    public var pollMs: Int = 2000
    /// The first block read when the node has no cursor yet (the block the inbox was deployed in).
    public var startBlock: Int = 0
    /// When set, a JSON-RPC node on another chain is refused: at start, and whenever the watcher
    /// reaches it later.
    public var chainId: Int?

    public init(
        name: String, rpcURL: String, inbox: String, confirmations: Int = 2, pollMs: Int = 2000, startBlock: Int = 0, chainId: Int? = nil
    ) {
        self.name = name
        self.rpcURL = rpcURL
        self.inbox = inbox
        self.confirmations = confirmations
        self.pollMs = pollMs
        self.startBlock = startBlock
        self.chainId = chainId
    }

    /// `NAME=URL@INBOX`, as `rakis run --chain` takes it; nil when it is not that shape.
    public init?(flag: String) {
        guard let equals = flag.firstIndex(of: "="), let at = flag.lastIndex(of: "@"), equals < at else { return nil }
        self.init(name: String(flag[..<equals]), rpcURL: String(flag[flag.index(after: equals)..<at]), inbox: String(flag[flag.index(after: at)...]))
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "rpcURL": .string(rpcURL), "inbox": .string(inbox), "confirmations": .number(Double(confirmations)),
            "pollMs": .number(Double(pollMs)), "startBlock": .number(Double(startBlock)),
        ]
        if let chainId { members["chainId"] = .number(Double(chainId)) }
        return .object(members)
    }

    /// A chain from its config.json object; the reason when it is not a valid one.
    static func parse(_ value: JSONValue) -> Result<ChainSetting, ChainSettingProblem> {
        guard case .object(let members) = value else { return .failure(.init("each chain must be an object")) }
        if let unknown = members.keys.first(where: { !["name", "rpcURL", "inbox", "confirmations", "pollMs", "startBlock", "chainId"].contains($0) }) {
            return .failure(.init("unknown field \(unknown)"))
        }
        guard let name = members["name"]?.stringValue, !name.isEmpty, name.utf8.count <= 64, !name.contains(where: { $0 == "," || $0.isWhitespace }) else {
            return .failure(.init("each chain needs a name (1 to 64 characters, no spaces or commas)"))
        }
        guard let url = members["rpcURL"]?.stringValue, url.hasPrefix("http://") || url.hasPrefix("https://") else {
            return .failure(.init("chain \(name) needs an http:// or https:// rpcURL"))
        }
        guard let inbox = members["inbox"]?.stringValue, inbox.count == 42, inbox.hasPrefix("0x"), inbox.dropFirst(2).allSatisfy(\.isHexDigit) else {
            return .failure(.init("chain \(name) needs its inbox address (0x and 40 hex digits)"))
        }
        var chain = ChainSetting(name: name, rpcURL: url, inbox: inbox)
        for (field, range, keyPath) in [("confirmations", 0...1000, \ChainSetting.confirmations), ("pollMs", 100...3_600_000, \.pollMs),
                                        ("startBlock", 0...Int(Int32.max) * 1000, \.startBlock)] {
            guard let value = members[field] else { continue }
            guard case .number(let number) = value, let int = Int(exactly: number), range.contains(int) else {
                return .failure(.init("chain \(name): \(field) must be an integer between \(range.lowerBound) and \(range.upperBound)"))
            }
            chain[keyPath: keyPath] = int
        }
        if let value = members["chainId"] {
            guard case .number(let number) = value, let id = Int(exactly: number), id >= 1 else {
                return .failure(.init("chain \(name): chainId must be a positive integer"))
            }
            chain.chainId = id
        }
        return .success(chain)
    }
}

struct ChainSettingProblem: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
