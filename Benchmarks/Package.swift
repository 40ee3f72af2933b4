// swift-tools-version: 6.1
// Benchmarks for Warden, in their own package so the test build does not pay for them.
// Run: scripts/bench.sh (see docs/PERFORMANCE.md).
import PackageDescription

let package = Package(
    name: "warden-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "warden", path: ".."),
        // Only to compare Warden's libcurl client with it (docs/PERFORMANCE.md).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "warden-bench",
            dependencies: [
                .product(name: "WardenCore", package: "warden"),
                .product(name: "WardenDefaults", package: "warden"),
                .product(name: "WardenHTTP", package: "warden"),
                .product(name: "WardenServer", package: "warden"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "warden-http-soak",
            dependencies: [.product(name: "WardenHTTP", package: "warden")]
        ),
    ]
)
