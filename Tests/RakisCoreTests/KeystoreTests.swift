import Foundation
import Testing
@testable import RakisCore

@Suite(.serialized) struct KeystoreTests {
    let directory: URL
    let file: URL
    let identity = NodeIdentity.generate()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-keystore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        file = directory.appendingPathComponent(Keystore.fileName)
        try Keystore(identity: identity).write(to: file, password: "correct horse", overwrite: false)
    }

    func header() throws -> [String: JSONValue] {
        try JSONParser().parse(Array(try Data(contentsOf: file))).objectValue!
    }

    func writeHeader(_ header: [String: JSONValue]) throws {
        try Data(CanonicalJSON.bytes(of: .object(header))).write(to: file)
    }

    @Test func roundTripsWithTheRightPassword() throws {
        let keystore = try Keystore.read(from: file, password: "correct horse")
        #expect(try keystore.identity().synthientId == identity.synthientId)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try header()["iterations"] == .number(600_000))
    }

    @Test func wrongPasswordSaysSo() {
        #expect(throws: KeystoreError.wrongPassword(file.path)) { try Keystore.read(from: file, password: "battery staple") }
    }

    @Test func truncatedFileIsReportedAsDamaged() throws {
        let bytes = try Data(contentsOf: file)
        try bytes.prefix(bytes.count / 2).write(to: file)
        #expect {
            try Keystore.read(from: file, password: "correct horse")
        } throws: { error in
            guard case .malformed(let path, let reason) = error as? KeystoreError else { return false }
            return path == file.path && reason.contains("truncated")
        }
        try Data().write(to: file)
        #expect(throws: KeystoreError.self) { try Keystore.read(from: file, password: "correct horse") }
    }

    @Test func editedCiphertextIsDetected() throws {
        var header = try header()
        var ciphertext = Array(header["ciphertext"]!.stringValue!)
        ciphertext[4] = ciphertext[4] == "0" ? "1" : "0"
        header["ciphertext"] = .string(String(ciphertext))
        try writeHeader(header)
        #expect(throws: KeystoreError.tampered(file.path)) { try Keystore.read(from: file, password: "correct horse") }
    }

    @Test func editedHeaderIsDetected() throws {
        var header = try header()
        header["synthientId"] = .string(String(repeating: "ab", count: 32))
        try writeHeader(header)
        #expect(throws: KeystoreError.tampered(file.path)) { try Keystore.read(from: file, password: "correct horse") }
    }

    @Test func downgradedIterationsAreRefused() throws {
        var header = try header()
        header["iterations"] = .number(1000)
        try writeHeader(header)
        #expect(throws: KeystoreError.weakParameters(file.path)) { try Keystore.read(from: file, password: "correct horse") }
    }

    @Test func nothingIsOverwrittenWithoutPermission() throws {
        let other = NodeIdentity.generate()
        #expect(throws: KeystoreError.alreadyExists(file.path)) {
            try Keystore(identity: other).write(to: file, password: "x", overwrite: false)
        }
        #expect(try Keystore.read(from: file, password: "correct horse").identity().synthientId == identity.synthientId)
        try Keystore(identity: other).write(to: file, password: "new password", overwrite: true)
        #expect(try Keystore.read(from: file, password: "new password").identity().synthientId == other.synthientId)
    }

    @Test func missingFileSaysHowToCreateOne() {
        let missing = directory.appendingPathComponent("nope.key")
        #expect(throws: KeystoreError.notFound(missing.path)) { try Keystore.read(from: missing, password: "x") }
        #expect(KeystoreError.notFound(missing.path).description.contains("rakis init"))
    }
}
