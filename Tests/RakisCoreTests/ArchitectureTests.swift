import Foundation
import Testing

/// The structure the README's "Architecture" section describes, checked on the source tree: which
/// module may import which, and how long a file and a function may grow.
struct ArchitectureTests {
    /// The Rakis modules each module may import. A lower layer never imports a higher one, and the
    /// edge (RakisServer, rakis) knows only the Domain and Core.
    static let allowedImports: [String: Set<String>] = [
        "RakisCore": ["CRakisPBKDF2"],
        "RakisStorage": ["CRakisSQLiteSetup"],
        "RakisEthereum": ["RakisCore", "CSecp256k1"],
        "RakisP2P": ["RakisCore", "RakisStorage", "RakisEthereum"],
        "RakisMesh": ["RakisCore", "RakisP2P"],
        "RakisNostr": ["RakisCore", "RakisP2P", "RakisEthereum", "CSecp256k1"],
        "RakisInference": ["RakisCore", "CRakisKernels", "CLlama"],
        "RakisCoordination": ["RakisCore", "RakisStorage"],
        "RakisConsensus": ["RakisCore"],
        "RakisChain": ["RakisCore", "RakisEthereum", "RakisStorage"],
        "RakisDVM": ["RakisCore", "RakisNostr", "RakisStorage"],
        "RakisNode": [
            "RakisCore", "RakisEthereum", "RakisP2P", "RakisMesh", "RakisNostr", "RakisInference", "RakisCoordination", "RakisConsensus", "RakisChain",
            "RakisDVM", "RakisSimulation",
        ],
        // Beside the layers, for the Domain to offer: many nodes' coordination and consensus on simulated time.
        "RakisSimulation": ["RakisCore", "RakisCoordination", "RakisConsensus"],
        "RakisServer": ["RakisCore", "RakisNode"],
        "rakis": ["RakisCore", "RakisNode", "RakisServer"],
        // A tool beside the layers: the parsers that take outside bytes, as fuzz targets.
        "RakisFuzz": ["RakisCore", "RakisEthereum", "RakisMesh", "RakisNostr", "RakisInference", "RakisNode", "RakisServer"],
        "rakis-fuzz": ["RakisFuzz"],
    ]
    static let maxFileLines = 300
    static let maxFunctionLines = 60
    /// Functions allowed to be longer, each with its reason.
    static let longFunctions: [String: String] = [
        "Sources/RakisCoordination/Storage/CoordinationDatabase.swift migrator": "the schema's migrations: a declarative table",
        "Sources/RakisEthereum/Keccak/Keccak256.swift permute": "generated, unrolled Keccak-f[1600] (its speed is the point)",
    ]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func swiftFiles(under folder: String) -> [(path: String, lines: [Substring])] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.compactMap { url in
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
            let path = String(url.path.dropFirst(root.path.count + 1))
            return (path, text.split(separator: "\n", omittingEmptySubsequences: false))
        }.sorted { $0.path < $1.path }
    }

    @Test func everyModuleImportsOnlyWhatItsLayerMay() throws {
        var found = 0
        for (module, allowed) in Self.allowedImports {
            for file in Self.swiftFiles(under: "Sources/\(module)") {
                for line in file.lines {
                    let words = line.split(separator: " ")
                    guard let index = words.firstIndex(of: "import"), index + 1 < words.count, words[..<index].allSatisfy({ $0.hasPrefix("@") || $0 == "public" || $0 == "package" || $0 == "internal" }) else { continue }
                    let imported = String(words[index + 1])
                    guard imported.hasPrefix("Rakis") || imported.hasPrefix("C") && Self.allowedImports.values.contains(where: { $0.contains(imported) }) else { continue }
                    found += 1
                    #expect(allowed.contains(imported), "\(file.path) imports \(imported); \(module) may import only \(allowed.sorted())")
                }
            }
        }
        #expect(found > 20, "the source tree was not found at \(Self.root.path)")
    }

    @Test func noFileIsLongerThan300Lines() {
        let files = Self.swiftFiles(under: "Sources") + Self.swiftFiles(under: "Tests")
        #expect(files.count > 100)
        for file in files {
            let count = file.lines.last?.isEmpty == true ? file.lines.count - 1 : file.lines.count
            #expect(count <= Self.maxFileLines, "\(file.path) has \(count) lines; split it by what its parts do")
        }
    }

    @Test func noFunctionIsLongerThan60Lines() {
        var measured = 0
        for file in Self.swiftFiles(under: "Sources") + Self.swiftFiles(under: "Tests") {
            for function in FunctionLengths.measure(file.lines) {
                measured += 1
                guard function.lines > Self.maxFunctionLines, Self.longFunctions["\(file.path) \(function.name)"] == nil else { continue }
                Issue.record("\(file.path):\(function.line) \(function.name) has \(function.lines) lines; at most \(Self.maxFunctionLines)")
            }
        }
        #expect(measured > 500)
    }

    @Test func theMeasureSeesAFunctionsWholeBody() {
        let source = """
            struct S {
                func short() { let x = "{"; _ = x }
                public static func long(_ a: Int) -> Int {
                    // a } in a comment
                    if a > 0 {
                        return 1
                    }
                    return 0
                }
            }
            """.split(separator: "\n", omittingEmptySubsequences: false)
        let measured = FunctionLengths.measure(source)
        #expect(measured.map(\.name) == ["short", "long"])
        #expect(measured.map(\.lines) == [1, 7])
    }
}

/// Lines from each function's (or initializer's) declaration to its closing brace, counting braces
/// outside string literals and comments.
enum FunctionLengths {
    struct Function: Equatable {
        let name: String
        let line: Int
        let lines: Int
    }

    static func measure(_ lines: [Substring]) -> [Function] {
        var functions: [Function] = []
        for (index, line) in lines.enumerated() {
            guard let name = declaredName(line) else { continue }
            var depth = 0
            var opened = false
            for end in index..<lines.count {
                for character in code(lines[end]) {
                    if character == "{" { depth += 1; opened = true } else if character == "}" { depth -= 1 }
                }
                if opened && depth <= 0 {
                    functions.append(Function(name: name, line: index + 1, lines: end - index + 1))
                    break
                }
                // A declaration without a body (a protocol requirement) ends at the next blank
                // line, comment, declaration or closing brace.
                let next = code(lines[min(end + 1, lines.count - 1)]).trimmingCharacters(in: .whitespaces)
                if !opened && (end + 1 == lines.count || next.isEmpty || next == "}" || declaredName(lines[end + 1]) != nil) { break }
            }
        }
        return functions
    }

    private static let modifiers: Set<Substring> = [
        "public", "private", "internal", "package", "fileprivate", "static", "class", "nonisolated", "override", "mutating",
        "convenience", "required", "final", "dynamic", "@discardableResult", "@inline(__always)", "@inlinable", "@MainActor", "@Test",
        "@Sendable", "@usableFromInline",
    ]

    /// The function's name when `line` declares a function, an initializer or a computed `static var`.
    static func declaredName(_ line: Substring) -> String? {
        var words = line.split(separator: " ")[...]
        while let first = words.first, modifiers.contains(first) || first.hasPrefix("@Test(") { words = words.dropFirst() }
        guard let keyword = words.first else { return nil }
        if keyword == "func", let name = words.dropFirst().first {
            return String(name.prefix { $0 != "(" && $0 != "<" })
        }
        if keyword.hasPrefix("init(") || keyword.hasPrefix("init<") || keyword.hasPrefix("init?(") || keyword == "deinit" { return "init" }
        if keyword == "var", line.hasSuffix("{"), !line.contains("="), let name = words.dropFirst().first {
            return String(name.prefix { $0 != ":" })
        }
        return nil
    }

    /// The line without string literals and comments, for counting braces.
    static func code(_ line: Substring) -> String {
        var result = ""
        var inString = false
        var escaped = false
        var previous: Character = " "
        for character in line {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character == "/" && previous == "/" {
                result.removeLast()
                break
            } else {
                result.append(character)
            }
            previous = character
        }
        return result
    }
}
