// swift-tools-version:6.1
import PackageDescription

// Layers (see DESIGN.md): RakisCore (0) ← RakisP2P (1) ← … ← RakisNode (the Domain) ← rakis (edge).
// A lower layer never depends on a higher one.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]
// The embedding model's Swift code is optimised in debug builds too: the tests and the debug
// `rakis` run the real model, and unoptimised they spend most of their time there. The release
// build computes the same bits (`rakis-bench embed` checks the committed digest).
let optimisedInDebug: [SwiftSetting] = strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]

// The llama.cpp libraries (scripts/build-llama.sh), found at run time through the rpath.
let llamaLibraries = Context.packageDirectory + "/.llama/lib"

let package = Package(
    name: "rakis",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rakis", targets: ["rakis"]),
        .library(name: "RakisCore", targets: ["RakisCore"]),
        .library(name: "RakisP2P", targets: ["RakisP2P"]),
        .library(name: "RakisMesh", targets: ["RakisMesh"]),
        .library(name: "RakisNostr", targets: ["RakisNostr"]),
        .library(name: "RakisNode", targets: ["RakisNode"]),
        .library(name: "RakisEthereum", targets: ["RakisEthereum"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/attaswift/BigInt.git", from: "6.0.1"),
    ],
    targets: [
        .target(
            name: "RakisCore",
            dependencies: [
                "CRakisPBKDF2",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The key file's PBKDF2 on the x86 SHA extensions, optimised in debug builds too (why: its
        // source file's header).
        .target(name: "CRakisPBKDF2", cSettings: [.unsafeFlags(["-O2"])]),
        // How every store opens its SQLite file (GRDB, WAL), shared by the P2P and coordination layers.
        .target(name: "RakisStorage", dependencies: ["CRakisSQLiteSetup", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        // SQLite's process-wide configuration, which only C can make (why: its header).
        .target(name: "CRakisSQLiteSetup", linkerSettings: [.linkedLibrary("sqlite3")]),
        // libsecp256k1 (Debian libsecp256k1-dev): BIP-340 signatures of Nostr events, Ethereum's ECDSA.
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        // Layer 1: packet intake, the peer table, the transport protocol and the in-memory transport.
        // The real transports are modules of their own (as NIOPosix is apart from NIOCore).
        .target(
            name: "RakisP2P",
            dependencies: [
                "RakisCore",
                "RakisEthereum",
                "RakisStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // `rakis simulate`: many nodes of the real coordination and consensus code on simulated
        // time and a simulated network, with the evaluation set's answers (issue 21).
        .target(
            name: "RakisSimulation",
            dependencies: [
                "RakisCore",
                "RakisCoordination",
                "RakisConsensus",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/answers.jsonl")],
            swiftSettings: strict
        ),
        // The direct mesh: nodes dial and accept WebSocket connections and gossip packets.
        .target(
            name: "RakisMesh",
            dependencies: [
                "RakisCore",
                "RakisP2P",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Nostr relays as a transport: signed events (BIP-340), chunks, NIP-11 limits.
        .target(
            name: "RakisNostr",
            dependencies: [
                "RakisCore",
                "RakisP2P",
                "RakisEthereum",
                "CSecp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                // NIP-11 relay information documents.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // Ethereum's primitives (Keccak-256, RLP, addresses, ECDSA recovery, EIP-191): a low layer,
        // so that layer 1 may check chain identities without importing layer 5.
        .target(
            name: "RakisEthereum", dependencies: ["RakisCore", "CSecp256k1", .product(name: "BigInt", package: "BigInt")], swiftSettings: strict),
        // Matrix kernels with a fixed reduction order; the compiler contracts nothing into fused
        // multiply-adds (only the recipe's own are fused), so that every CPU computes the same bits.
        .target(
            name: "CRakisKernels",
            cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]
        ),
        // llama.cpp's C API, from the build that scripts/build-llama.sh caches outside the clone
        // and links to .llama here.
        .systemLibrary(name: "CLlama"),
        .target(
            name: "RakisInference",
            dependencies: [
                "RakisCore",
                "CRakisKernels",
                "CLlama",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: optimisedInDebug,
            linkerSettings: [.unsafeFlags(["-L\(llamaLibraries)", "-Xlinker", "-rpath=\(llamaLibraries)"])]
        ),
        // Layer 5: chains as standard JSON-RPC (geth, anvil, public endpoints), the inbox contract.
        .target(
            name: "RakisChain",
            dependencies: [
                "RakisCore",
                "RakisEthereum",
                "RakisStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Layer 5 beside the chains: NIP-90 jobs from Nostr relays, their feedback, results and the
        // NIP-89 announcement, and the store of jobs seen.
        .target(
            name: "RakisDVM",
            dependencies: [
                "RakisCore",
                "RakisNostr",
                "RakisStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "RakisCoordination",
            dependencies: ["RakisCore", "RakisStorage", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "RakisConsensus",
            dependencies: ["RakisCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "RakisNode",
            dependencies: [
                "RakisCore",
                "RakisEthereum",
                "RakisP2P",
                "RakisMesh",
                "RakisNostr",
                "RakisInference",
                "RakisCoordination",
                "RakisConsensus",
                "RakisChain",
                "RakisDVM",
                "RakisSimulation",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The edge: the HTTP API, the dashboard and /metrics, served by the node itself.
        .target(
            name: "RakisServer",
            dependencies: [
                "RakisCore",
                "RakisNode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/dashboard"), .copy("Resources/openapi.json")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "rakis",
            dependencies: [
                "RakisCore",
                "RakisNode",
                "RakisServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The C reference of the signer-recovery benchmark.
        .target(name: "CRakisSecp256k1Bench", dependencies: ["CSecp256k1"]),
        .executableTarget(
            name: "rakis-bench",
            dependencies: [
                "RakisCore",
                "RakisEthereum",
                "CRakisSecp256k1Bench",
                "RakisP2P",
                "RakisMesh",
                "RakisNostr",
                "RakisInference",
                "RakisConsensus",
                "RakisNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The parsers that take bytes from outside, as fuzz targets: run under libFuzzer by
        // scripts/fuzz.sh (`make fuzz`), their corpora and findings replayed by RakisFuzzTests.
        .target(
            name: "RakisFuzz",
            dependencies: ["RakisCore", "RakisEthereum", "RakisMesh", "RakisNostr", "RakisInference", "RakisNode", "RakisServer"],
            swiftSettings: strict
        ),
        .executableTarget(name: "rakis-fuzz", dependencies: ["RakisFuzz"], swiftSettings: strict),
        .target(name: "RakisTestSupport", dependencies: ["RakisCore", "RakisInference", "RakisP2P", "RakisMesh", "RakisChain", "RakisEthereum", .product(name: "BigInt", package: "BigInt"), .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOFoundationCompat", package: "swift-nio")], path: "Tests/RakisTestSupport", swiftSettings: strict),
        .testTarget(name: "RakisFuzzTests", dependencies: ["RakisFuzz", "RakisCore", "RakisEthereum", "RakisInference", "RakisMesh", "RakisNostr", "RakisTestSupport"], swiftSettings: strict),
        .testTarget(name: "RakisCoordinationTests", dependencies: ["RakisCoordination", "RakisCore", "RakisTestSupport"], swiftSettings: strict),
        .testTarget(name: "RakisSimulationTests", dependencies: ["RakisSimulation", "RakisCore"], swiftSettings: strict),
        .testTarget(name: "RakisConsensusTests", dependencies: ["RakisConsensus", "RakisCore"], swiftSettings: strict),
        .testTarget(
            name: "RakisEthereumTests", dependencies: ["RakisEthereum", "RakisCore", "RakisTestSupport", .product(name: "BigInt", package: "BigInt")],
            swiftSettings: strict),
        .testTarget(
            name: "RakisChainTests",
            dependencies: [
                "RakisChain", "RakisEthereum", "RakisCore", "RakisTestSupport", .product(name: "BigInt", package: "BigInt"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(name: "RakisCoreTests", dependencies: ["RakisCore", "CRakisPBKDF2", "RakisTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "RakisInferenceTests", dependencies: ["RakisCore", "RakisInference", "CRakisKernels", "RakisTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "RakisNodeTests",
            dependencies: [
                "RakisCore", "RakisP2P", "RakisMesh", "RakisNostr", "RakisInference", "RakisNode", "RakisCoordination", "RakisConsensus",
                "RakisEthereum", "RakisChain", "RakisDVM", "RakisTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "RakisP2PTests",
            dependencies: [
                "RakisCore", "RakisP2P", "RakisNode", "RakisEthereum", "RakisTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "RakisMeshTests",
            dependencies: [
                "RakisCore", "RakisP2P", "RakisMesh", "RakisTestSupport", .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: strict),
        .testTarget(name: "RakisDVMTests", dependencies: ["RakisCore", "RakisNostr", "RakisDVM"], swiftSettings: strict),
        .testTarget(name: "RakisNostrTests", dependencies: ["RakisCore", "RakisP2P", "RakisNostr", "RakisTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "RakisServerTests",
            dependencies: [
                "RakisCore", "RakisP2P", "RakisNode", "RakisServer", "RakisCoordination", "RakisTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "RakisCLITests",
            dependencies: [
                "rakis", "RakisCore", "RakisMesh", "RakisNostr", "RakisTestSupport", .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
