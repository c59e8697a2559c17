import ArgumentParser
import Foundation
import RakisCore
import RakisNode

/// `rakis wallet`: the node's Ethereum key, kept in its encrypted key file.
struct WalletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Create, import or show the node's Ethereum wallet (kept in its encrypted key file).",
        subcommands: [New.self, Import.self, Address.self])

    /// Reads the key file, puts the wallet `make` returns in it, and writes it back only when
    /// everything before succeeded: a refused key leaves the file as it was.
    static func update(_ options: DataDirectoryOptions, replace: Bool, _ make: () throws -> NodeWallet) throws -> NodeWallet {
        let file = options.directory.keyFile
        let password = try PasswordPrompt.existing()
        var keystore = try Keystore.read(from: file, password: password)
        if try NodeKeys.wallet(in: keystore) != nil, !replace {
            throw CLIError("this node has a wallet already (`rakis wallet address`); pass --replace to put another in its place")
        }
        let wallet = try make()
        NodeKeys.setWallet(wallet, in: &keystore)
        try keystore.write(to: file, password: password, overwrite: true)
        return wallet
    }

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a new wallet key and print its address.")
        @OptionGroup var dataDirectory: DataDirectoryOptions
        @Flag(help: "Replace the wallet the node has (its key is lost unless you kept it).") var replace = false

        func run() async throws {
            print(try WalletCommand.update(dataDirectory, replace: replace) { NodeWallet.generate() }.address.checksummed)
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a wallet key (64 hex digits) from a file or standard input, never from an argument.",
            discussion: "A key given as an argument would land in the shell's history. Example: rakis wallet import --key-file key.txt, or: rakis wallet import < key.txt")
        @OptionGroup var dataDirectory: DataDirectoryOptions
        @Option(help: ArgumentHelp("A file holding the key; without it the key is read from standard input.", valueName: "FILE"))
        var keyFile: String?
        @Flag(help: "Replace the wallet the node has.") var replace = false

        func run() async throws {
            let text: String
            if let keyFile {
                guard let contents = try? String(contentsOfFile: (keyFile as NSString).expandingTildeInPath, encoding: .utf8) else {
                    throw CLIError("cannot read the key file \(keyFile)")
                }
                text = contents
            } else {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            }
            let wallet = try WalletCommand.update(dataDirectory, replace: replace) {
                do { return try NodeWallet(parsing: text) } catch { throw CLIError("\(error); nothing was written") }
            }
            print(wallet.address.checksummed)
        }
    }

    struct Address: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the wallet's address (EIP-55).")
        @OptionGroup var dataDirectory: DataDirectoryOptions

        func run() async throws {
            let keystore = try Keystore.read(from: dataDirectory.directory.keyFile, password: try PasswordPrompt.existing())
            guard let wallet = try NodeKeys.wallet(in: keystore) else { throw CLIError("this node has no wallet; make one with `rakis wallet new` or `rakis wallet import`") }
            print(wallet.address.checksummed)
        }
    }
}

/// `rakis chain`: chain identities bound to this node, and the inbox contract.
struct ChainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Bind the node's wallet to it, and use the inbox contract: deploy, register, request, status, withdraw.",
        subcommands: [Bind.self, Deploy.self, Register.self, Request.self, Status.self, Refund.self, Withdraw.self])

    struct Bind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign the node's synthientId with its wallet (EIP-191 personal_sign) and store the identity.",
            discussion: """
                The identity {chain, address, synthientIdSignature, signedWithWallet} goes into DIR/chain-identities.json, \
                replacing one for the same chain; `rakis run` announces every stored identity in a peerConnectedChain \
                packet when it starts, and peers keep it only if the signature is the address's over this node's id.
                """)
        @OptionGroup var dataDirectory: DataDirectoryOptions
        @Option(help: "The chain's name as wallets show it, e.g. Sepolia.") var chain: String
        @Option(help: "What signed it, as the reference recorded it.") var signedWith = "rakis"

        func validate() throws {
            guard !chain.isEmpty, chain.utf8.count <= 64 else { throw ValidationError("--chain takes a name of 1 to 64 characters") }
        }

        func run() async throws {
            let directory = dataDirectory.directory
            let keystore = try Keystore.read(from: directory.keyFile, password: try PasswordPrompt.existing())
            guard let wallet = try NodeKeys.wallet(in: keystore) else { throw CLIError("this node has no wallet; make one with `rakis wallet new` or `rakis wallet import`") }
            let identity = try wallet.bind(synthientId: try keystore.identity().synthientId, chain: chain, signedWithWallet: signedWith)
            try ChainIdentityFile.save(identity, in: directory)
            print(CanonicalJSON.string(of: try PacketCoding.jsonValue(encoding: identity)))
        }
    }
}
