import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the keystore password comes from: `RAKIS_PASSWORD`, else the terminal with echo off.
enum PasswordPrompt {
    static let environmentVariable = "RAKIS_PASSWORD"
    static let minimumLength = 8

    /// The password for an existing key file.
    static func existing() throws -> String {
        if let password = ProcessInfo.processInfo.environment[environmentVariable] { return password }
        return try readHidden(prompt: "Password for the node's key file: ")
    }

    /// A new password, asked twice when typed.
    static func new() throws -> String {
        if let password = ProcessInfo.processInfo.environment[environmentVariable] {
            try check(password)
            return password
        }
        let first = try readHidden(prompt: "New password for the node's key file: ")
        try check(first)
        let second = try readHidden(prompt: "Repeat the password: ")
        guard first == second else { throw CLIError("the two passwords differ; nothing was written") }
        return first
    }

    private static func check(_ password: String) throws {
        guard password.count >= minimumLength else {
            throw CLIError("the password must have at least \(minimumLength) characters; nothing was written")
        }
    }

    private static func readHidden(prompt: String) throws -> String {
        let tty = open("/dev/tty", O_RDWR)
        guard tty >= 0 else {
            throw CLIError("no password given: set \(environmentVariable) or run the command in a terminal")
        }
        defer { close(tty) }
        _ = prompt.withCString { write(tty, $0, strlen($0)) }
        var original = termios()
        let canHideEcho = tcgetattr(tty, &original) == 0
        if canHideEcho {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSAFLUSH, &silent)
        }
        defer {
            if canHideEcho { tcsetattr(tty, TCSAFLUSH, &original) }
            _ = write(tty, "\n", 1)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(tty, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// An error whose message is shown as it is, with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
