import Crypto
public import Foundation

/// The node's secrets in one password-encrypted file (mode 0600) inside its data directory.
///
/// The password goes through PBKDF2-SHA256 (600,000 rounds, random 16-byte salt); HKDF splits
/// the result into an AES-256-GCM key and a password-check key. The check value tells a wrong
/// password apart from a file edited after it was written, so each gets its own message. The
/// whole header is the cipher's associated data, so no field can be changed unnoticed.
public struct Keystore: Sendable {
    public static let minimumIterations = 600_000
    public static let fileName = "identity.key"

    /// Secrets by name; `ed25519` holds the node identity's seed (hex). Later layers add theirs.
    public var secrets: [String: String]

    public init(secrets: [String: String]) {
        self.secrets = secrets
    }

    public init(identity: NodeIdentity) {
        self.secrets = ["ed25519": Hex.encode(identity.seed)]
    }

    public func identity() throws(KeystoreError) -> NodeIdentity {
        guard let hex = secrets["ed25519"], let seed = Hex.decode(hex), let identity = try? NodeIdentity(seed: seed) else {
            throw .missingSecret("ed25519")
        }
        return identity
    }

    // MARK: Writing

    public func write(to url: URL, password: String, overwrite: Bool, iterations: Int = minimumIterations) throws(KeystoreError) {
        let path = url.path
        if !overwrite, FileManager.default.fileExists(atPath: path) { throw .alreadyExists(path) }
        guard iterations >= Self.minimumIterations else { throw .weakParameters(path) }
        let salt = Self.randomBytes(16)
        let keys = try Self.deriveKeys(password: password, salt: salt, iterations: iterations, path: path)
        let nonce = AES.GCM.Nonce()
        var header = Header(
            format: Header.formatName, version: 1, synthientId: (try? identity().synthientId) ?? "",
            kdf: Header.kdfName, iterations: iterations, salt: Hex.encode(salt),
            nonce: Hex.encode(nonce), passwordCheck: Hex.encode(keys.passwordCheck), ciphertext: "")
        let plaintext = CanonicalJSON.bytes(of: .object(secrets.mapValues { .string($0) }))
        let sealed: AES.GCM.SealedBox
        do {
            sealed = try AES.GCM.seal(plaintext, using: keys.encryption, nonce: nonce, authenticating: header.associatedData)
        } catch {
            throw .io(path, "encryption failed: \(error)")
        }
        header.ciphertext = Hex.encode(sealed.ciphertext + sealed.tag)
        try Self.writeAtomically(CanonicalJSON.bytes(of: header.json), to: url)
    }

    // MARK: Reading

    public static func read(from url: URL, password: String) throws(KeystoreError) -> Keystore {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(path) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .io(path, "\(error.localizedDescription)") }
        let header = try Header.parse(Array(data), path: path)
        guard header.iterations >= minimumIterations else { throw .weakParameters(path) }
        guard let salt = Hex.decode(header.salt), salt.count == 16,
              let nonceBytes = Hex.decode(header.nonce), let nonce = try? AES.GCM.Nonce(data: nonceBytes),
              let check = Hex.decode(header.passwordCheck), check.count == 32,
              let sealedBytes = Hex.decode(header.ciphertext), sealedBytes.count > 16
        else { throw .malformed(path, "a field has the wrong length or is not hex") }

        let keys = try deriveKeys(password: password, salt: salt, iterations: header.iterations, path: path)
        guard keys.passwordCheck == check else { throw .wrongPassword(path) }

        let plaintext: Data
        do {
            let box = try AES.GCM.SealedBox(
                nonce: nonce, ciphertext: sealedBytes.dropLast(16), tag: sealedBytes.suffix(16))
            plaintext = try AES.GCM.open(box, using: keys.encryption, authenticating: header.associatedData)
        } catch {
            throw .tampered(path)
        }
        guard case .object(let members)? = try? JSONParser().parse(plaintext) else { throw .tampered(path) }
        var secrets: [String: String] = [:]
        for (name, value) in members {
            guard case .string(let text) = value else { throw .tampered(path) }
            secrets[name] = text
        }
        let keystore = Keystore(secrets: secrets)
        if !header.synthientId.isEmpty, (try? keystore.identity().synthientId) != header.synthientId {
            throw .tampered(path)
        }
        return keystore
    }

    // MARK: Internals

    private struct DerivedKeys {
        var encryption: SymmetricKey
        var passwordCheck: [UInt8]
    }

    private static func deriveKeys(password: String, salt: [UInt8], iterations: Int, path: String) throws(KeystoreError) -> DerivedKeys {
        let master: SymmetricKey
        do {
            master = SymmetricKey(data: try PBKDF2.sha256(password: Array(password.utf8), salt: salt, rounds: iterations, byteCount: 32))
        } catch {
            throw .io(path, error.description)
        }
        let encryption = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: master, info: Array("rakis-keystore-v1 encryption".utf8), outputByteCount: 32)
        let checkKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: master, info: Array("rakis-keystore-v1 password-check".utf8), outputByteCount: 32)
        let check = HMAC<SHA256>.authenticationCode(for: Array("password-check".utf8), using: checkKey)
        return DerivedKeys(encryption: encryption, passwordCheck: Array(check))
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static func writeAtomically(_ bytes: [UInt8], to url: URL) throws(KeystoreError) {
        do {
            try SecureFile.writeAtomically(bytes, to: url, mode: 0o600)
        } catch {
            throw .io(url.path, error.description)
        }
    }

    private struct Header {
        static let formatName = "rakis-keystore"
        static let kdfName = "pbkdf2-sha256"

        var format: String
        var version: Int
        var synthientId: String
        var kdf: String
        var iterations: Int
        var salt: String
        var nonce: String
        var passwordCheck: String
        var ciphertext: String

        var json: JSONValue {
            .object([
                "format": .string(format), "version": .number(Double(version)), "synthientId": .string(synthientId),
                "kdf": .string(kdf), "iterations": .number(Double(iterations)), "salt": .string(salt),
                "nonce": .string(nonce), "passwordCheck": .string(passwordCheck), "ciphertext": .string(ciphertext),
            ])
        }

        /// Everything but the ciphertext, canonically encoded, is authenticated by AES-GCM.
        var associatedData: [UInt8] {
            guard case .object(var members) = json else { return [] }
            members["ciphertext"] = nil
            return CanonicalJSON.bytes(of: .object(members))
        }

        static func parse(_ bytes: [UInt8], path: String) throws(KeystoreError) -> Header {
            let json: JSONValue
            do { json = try JSONParser(maxDepth: 4, maxBytes: 64 * 1024).parse(bytes) } catch {
                throw .malformed(path, "not valid JSON (\(error)); the file may be truncated")
            }
            func string(_ key: String) throws(KeystoreError) -> String {
                guard case .string(let value)? = json[key] else { throw .malformed(path, "field \"\(key)\" is missing") }
                return value
            }
            func integer(_ key: String) throws(KeystoreError) -> Int {
                guard case .number(let value)? = json[key], value == value.rounded(), let int = Int(exactly: value) else {
                    throw .malformed(path, "field \"\(key)\" is missing or not an integer")
                }
                return int
            }
            let header = Header(
                format: try string("format"), version: try integer("version"), synthientId: try string("synthientId"),
                kdf: try string("kdf"), iterations: try integer("iterations"), salt: try string("salt"),
                nonce: try string("nonce"), passwordCheck: try string("passwordCheck"), ciphertext: try string("ciphertext"))
            guard header.format == formatName else { throw .malformed(path, "not a rakis key file") }
            guard header.version == 1, header.kdf == kdfName else {
                throw .unsupported(path, "version \(header.version), kdf \(header.kdf)")
            }
            return header
        }
    }
}

public enum KeystoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(String)
    case alreadyExists(String)
    case malformed(String, String)
    case unsupported(String, String)
    case weakParameters(String)
    case wrongPassword(String)
    case tampered(String)
    case missingSecret(String)
    case io(String, String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "no key file at \(path); create one with `rakis init --data-dir DIR`"
        case .alreadyExists(let path):
            "a key file already exists at \(path); pass --force to replace it (the identity it holds will be lost)"
        case .malformed(let path, let reason):
            "the key file \(path) is damaged or truncated: \(reason). Restore it from a backup or create a new identity with `rakis init --force`"
        case .unsupported(let path, let what):
            "the key file \(path) uses an unsupported format (\(what)); it was written by a newer rakis"
        case .weakParameters(let path):
            "the key file \(path) asks for fewer than \(Keystore.minimumIterations) PBKDF2 rounds; refusing it as tampered"
        case .wrongPassword(let path):
            "wrong password for the key file \(path)"
        case .tampered(let path):
            "the key file \(path) was modified after it was written (authentication failed); restore it from a backup"
        case .missingSecret(let name):
            "the key file holds no valid \(name) secret"
        case .io(let path, let reason):
            "cannot access \(path): \(reason)"
        }
    }
}
