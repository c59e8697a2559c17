import RakisCore

/// A network inside one process: any number of `InMemoryTransport`s attached to it reach each
/// other, with optional delay, jitter and loss, for tests and local simulation.
public actor InMemoryNetwork {
    public struct Conditions: Sendable {
        public var delay: Duration
        public var jitter: Duration
        /// Probability in [0, 1] that one delivery to one endpoint is dropped.
        public var lossRate: Double

        public init(delay: Duration = .zero, jitter: Duration = .zero, lossRate: Double = 0) {
            self.delay = delay
            self.jitter = jitter
            self.lossRate = lossRate
        }
    }

    private var conditions: Conditions
    private var endpoints: [Int: AsyncStream<TransportDelivery>.Continuation] = [:]
    private var nextEndpoint = 0
    private var random: SeededRandom
    public private(set) var delivered = 0
    public private(set) var dropped = 0

    /// - Parameter seed: seeds loss and jitter so that a simulation can be repeated.
    public init(conditions: Conditions = Conditions(), seed: UInt64 = 0x5EED) {
        self.conditions = conditions
        self.random = SeededRandom(seed: seed)
    }

    public func setConditions(_ conditions: Conditions) {
        self.conditions = conditions
    }

    /// A new transport on this network, named `memory` unless told otherwise.
    public nonisolated func makeTransport(name: String = "memory") -> InMemoryTransport {
        InMemoryTransport(network: self, name: name)
    }

    func allocateEndpoint() -> Int {
        defer { nextEndpoint += 1 }
        return nextEndpoint
    }

    func attach(_ endpoint: Int, _ continuation: AsyncStream<TransportDelivery>.Continuation) {
        endpoints[endpoint] = continuation
    }

    func detach(_ endpoint: Int) {
        endpoints[endpoint] = nil
    }

    func isAttached(_ endpoint: Int) -> Bool { endpoints[endpoint] != nil }

    func deliver(_ bytes: [UInt8], from sender: Int) {
        let delivery = TransportDelivery(bytes: bytes, from: "memory:\(sender)")
        for (endpoint, continuation) in endpoints where endpoint != sender {
            if conditions.lossRate > 0, random.nextUnit() < conditions.lossRate {
                dropped += 1
                continue
            }
            delivered += 1
            var wait = conditions.delay
            if conditions.jitter > .zero {
                wait += conditions.jitter * random.nextUnit()
            }
            if wait == .zero {
                continuation.yield(delivery)
            } else {
                Task {
                    try? await Task.sleep(for: wait)
                    continuation.yield(delivery)
                }
            }
        }
    }
}
