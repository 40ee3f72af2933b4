// swift-tools-version: 6.1
// Benchmarks for Warden, in their own package so the test build does not pay for them.
// Run: scripts/bench.sh (see docs/PERFORMANCE.md).
import PackageDescription

let package = Package(
    name: "warden-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "warden", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "warden-bench",
            dependencies: [
                .product(name: "WardenCore", package: "warden"),
                .product(name: "WardenDefaults", package: "warden"),
            ]
        ),
    ]
)
