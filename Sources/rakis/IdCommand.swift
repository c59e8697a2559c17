import ArgumentParser
import RakisCore
import RakisNode

struct IdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: "Print the node's synthientId (its Ed25519 public key, hex). Needs the key file's password.",
        discussion: "With --nostr, print the node's Nostr public key (x-only secp256k1, hex) instead.")

    @Flag(help: "Print the Nostr public key that the node's relay events are signed with.")
    var nostr = false

    @OptionGroup var dataDirectory: DataDirectoryOptions

    func run() async throws {
        let keystore = try Keystore.read(from: dataDirectory.directory.keyFile, password: try PasswordPrompt.existing())
        if nostr {
            guard let publicKey = try NodeKeys.nostrPublicKey(of: keystore) else {
                throw CLIError("this key file has no Nostr key yet; `rakis run` with a relay adds one")
            }
            print(publicKey)
        } else {
            print(try keystore.identity().synthientId)
        }
    }
}
