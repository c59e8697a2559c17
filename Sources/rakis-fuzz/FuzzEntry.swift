import Foundation
import RakisFuzz

#if RAKIS_LIBFUZZER
// Built by scripts/fuzz.sh with -sanitize=fuzzer,address: libFuzzer owns main and calls these.
// The target comes from RAKIS_FUZZ_TARGET, so that one binary serves every target.
nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    let name = ProcessInfo.processInfo.environment["RAKIS_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        FileHandle.standardError.write(Data("set RAKIS_FUZZ_TARGET to one of: \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try selected?.run(bytes) } catch {
        FileHandle.standardError.write(Data("rakis-fuzz: \(selected?.name ?? "?"): \(error)\n".utf8))
        abort()
    }
    return 0
}
#else
/// Without libFuzzer: replays files through a target, to reproduce a finding in an ordinary build.
@main
struct FuzzReplay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget.named(name) else {
            print("usage: rakis-fuzz TARGET FILE...   (make fuzz runs the targets under libFuzzer)\ntargets:")
            for target in FuzzTarget.all { print("  \(target.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(target.summary)") }
            exit(arguments.isEmpty ? 0 : 2)
        }
        var failed = 0
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read it")
                failed += 1
                continue
            }
            do {
                try target.run(Array(data))
                print("\(path): ok")
            } catch {
                print("\(path): \(error)")
                failed += 1
            }
        }
        exit(failed == 0 ? 0 : 1)
    }
}
#endif
