/// Why rakis does not run a job; the text is the `error` feedback's reason, for the customer.
public enum DVMJobError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAJob(kind: Int)
    case noInput
    case tooManyInputs(Int)
    case unsupportedInput(type: String)
    case encrypted
    case badParam(name: String, reason: String)
    case unknownModel(String)
    case tooOld(seconds: Int)
    case inTheFuture(seconds: Int)

    public var description: String {
        switch self {
        case .notAJob(let kind): "kind \(kind) is not a text-generation job (5050)"
        case .noInput: "the job has no text input: add an [\"i\", \"<prompt>\", \"text\"] tag"
        case .tooManyInputs(let count): "the job has \(count) inputs; rakis answers one text input per job"
        case .unsupportedInput(let type): "input type \(type) is not supported; rakis takes text inputs only"
        case .encrypted: "encrypted job parameters are not supported: publish the job unencrypted"
        case .badParam(let name, let reason): "param \(name): \(reason)"
        case .unknownModel(let model): "model \(model) is not served by any rakis node known here"
        case .tooOld(let seconds): "the job was created \(seconds) s ago, too late to gather a quorum"
        case .inTheFuture(let seconds): "the job's created_at is \(seconds) s in the future: check the client's clock"
        }
    }
}
