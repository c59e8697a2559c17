public import Foundation
public import RakisInference
import Synchronization

/// An embedder for engine tests: returns [length of text] after an optional wait on a gate,
/// and throws for the text "fail".
public final class GatedEmbedder: TextEmbedder {
    public let dimensions = 1
    public let gate = DispatchSemaphore(value: 0)
    public let gated: Bool
    private let threads = Mutex<Set<String>>([])

    public init(gated: Bool = false) { self.gated = gated }

    public struct Failure: Error {}

    public func embed(_ text: String) throws -> [Float] {
        threads.withLock { _ = $0.insert(Thread.current.threadDictionary["rakis.worker.name"] as? String ?? "not a worker thread") }
        if gated { gate.wait() }
        if text == "fail" { throw Failure() }
        return [Float(text.count)]
    }

    public var threadNames: Set<String> { threads.withLock { $0 } }
    public func release(_ count: Int = 1) { for _ in 0..<count { gate.signal() } }
}
