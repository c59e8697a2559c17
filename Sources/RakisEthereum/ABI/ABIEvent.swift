/// An event as a contract's ABI describes it, for decoding its logs: indexed parameters sit in
/// the topics after the signature's, the others ABI-encoded in the data.
public struct ABIEvent: Sendable, Hashable {
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var type: ABIType
        public var indexed: Bool

        public init(_ name: String, _ type: ABIType, indexed: Bool = false) {
            self.name = name
            self.type = type
            self.indexed = indexed
        }
    }

    public var name: String
    public var parameters: [Parameter]

    public init(name: String, parameters: [Parameter]) {
        self.name = name
        self.parameters = parameters
    }

    public var signature: String { name + "(" + parameters.map(\.type.description).joined(separator: ",") + ")" }
    public var topic: [UInt8] { ABI.eventTopic(signature) }

    /// The parameters of one log, in declaration order. An indexed string, bytes, array or tuple
    /// is only its Keccak-256 in the topic: it comes back as `.fixedBytes` of that hash.
    public func decode(topics: [[UInt8]], data: [UInt8]) throws(ABIError) -> [ABIValue] {
        let indexed = parameters.filter(\.indexed)
        guard topics.count == indexed.count + 1 else { throw .wrongTopicCount(expected: indexed.count + 1, got: topics.count) }
        guard topics[0] == topic else { throw .valueDoesNotFit(type: signature, reason: "the log's first topic is another event's") }
        let plain = try ABI.decode(parameters.filter { !$0.indexed }.map(\.type), from: data)
        var values: [ABIValue] = []
        var nextTopic = 1, nextPlain = 0
        for parameter in parameters {
            if parameter.indexed {
                let word = topics[nextTopic]
                guard word.count == 32 else { throw .truncated(at: nextTopic) }
                nextTopic += 1
                switch parameter.type {
                case .string, .bytes, .array, .tuple: values.append(.fixedBytes(word))
                default: values.append(try ABI.decode([parameter.type], from: word)[0])
                }
            } else {
                values.append(plain[nextPlain])
                nextPlain += 1
            }
        }
        return values
    }
}
