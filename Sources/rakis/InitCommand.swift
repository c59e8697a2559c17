import ArgumentParser
import Foundation
import RakisCore
import RakisNode

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a node: its identity (an encrypted key file), a config file and an API token.",
        discussion: "The password comes from RAKIS_PASSWORD or is asked for twice. Nothing is overwritten without --force.")

    @OptionGroup var dataDirectory: DataDirectoryOptions

    @Flag(help: "Replace an existing identity, config file and API token. The old identity is lost.")
    var force = false

    func run() async throws {
        let directory = dataDirectory.directory
        if !force, FileManager.default.fileExists(atPath: directory.keyFile.path) {
            throw KeystoreError.alreadyExists(directory.keyFile.path)
        }
        let password = try PasswordPrompt.new()
        try directory.create()
        let identity = NodeIdentity.generate()
        var keystore = Keystore(identity: identity)
        let nostr = try NodeKeys.nostrSecretKey(ensuredIn: &keystore).secretKey
        try keystore.write(to: directory.keyFile, password: password, overwrite: force)

        if force || !FileManager.default.fileExists(atPath: directory.configFile.path) {
            try SecureFile.writeAtomically(SettingsLoader.defaultConfigFile(), to: directory.configFile, mode: 0o644)
        }
        if force || !FileManager.default.fileExists(atPath: directory.apiTokenFile.path) {
            let token = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
            try SecureFile.writeAtomically(Array((Hex.encode(token) + "\n").utf8), to: directory.apiTokenFile, mode: 0o600)
        }
        print("""
            Created node \(identity.synthientId)
              Nostr key: \(NodeKeys.nostrPublicKey(secretKey: nostr) ?? "?")
              key file:  \(directory.keyFile.path)
              config:    \(directory.configFile.path)
              API token: \(directory.apiTokenFile.path)
            Run it with: rakis run --data-dir \(directory.url.path)
            """)
    }
}
