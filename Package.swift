// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "warden",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "warden", targets: ["warden"]),
        .executable(name: "warden-eval", targets: ["warden-eval"]),
        .library(name: "WardenCore", targets: ["WardenCore"]),
        .library(name: "WardenDefaults", targets: ["WardenDefaults"]),
        .library(name: "WardenHTTP", targets: ["WardenHTTP"]),
        .library(name: "WardenServer", targets: ["WardenServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Tests only: real HTTP and TLS servers on loopback.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // Pure core: diff model, area classifier, policy, decision, rendering. No I/O.
        .target(
            name: "WardenCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // Rule patterns run through the C API of Foundation's own ICU on Linux
            // (RegexEngine.swift); Foundation links it, but not for callers of its C API.
            linkerSettings: [.linkedLibrary("_FoundationICU", .when(platforms: [.linux]))]
        ),
        // The files of Config/ and Templates/, compiled in so the binary runs on its defaults.
        .target(name: "WardenDefaults", plugins: ["EmbedDefaults"]),
        // Local git repositories: diffs and history through the git command.
        .target(name: "WardenGit", dependencies: ["WardenCore"]),
        // libcurl, the system library (pkg-config libcurl), with C shims for its variadics.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Warden's HTTP client: one async libcurl client, the transport protocol, retry policy.
        .target(name: "WardenHTTP", dependencies: ["CCurl", "WardenDefaults"]),
        // The webhook service: configuration, durable store, intake, workers, forge adapters.
        .target(
            name: "WardenServer",
            dependencies: [
                "WardenCore", "WardenDefaults", "WardenHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The command line as a library, so tests run it in-process.
        .target(
            name: "WardenCommandLine",
            dependencies: [
                "WardenCore", "WardenDefaults", "WardenGit", "WardenServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "warden", dependencies: ["WardenCommandLine"]),
        // Scores the classifier on a JSONL file of labelled diffs (docs/ACCURACY.md).
        .executableTarget(name: "warden-eval", dependencies: ["WardenCore", "WardenDefaults"]),

        .executableTarget(name: "EmbedTool", path: "Plugins/EmbedTool"),
        .plugin(name: "EmbedDefaults", capability: .buildTool(), dependencies: ["EmbedTool"]),

        .testTarget(name: "WardenCoreTests", dependencies: ["WardenCore", "WardenDefaults"]),
        .testTarget(name: "WardenGitTests", dependencies: ["WardenGit", "WardenDefaults"]),
        .testTarget(name: "WardenCommandLineTests", dependencies: ["WardenCommandLine"]),
        .testTarget(name: "WardenHTTPTests", dependencies: ["WardenHTTP", "WardenTestSupport"]),
        .testTarget(
            name: "WardenServerTests",
            dependencies: [
                "WardenServer", "WardenTestSupport", "WardenDefaults", "WardenHTTP", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Test helpers shared by test targets: a loopback HTTP(S) server, a throw-away CA.
        .target(
            name: "WardenTestSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/WardenTestSupport"
        ),
    ]
)
