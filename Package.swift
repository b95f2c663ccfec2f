// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "wirewatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wirewatchd", targets: ["wirewatchd"]),
        .executable(name: "wirewatch", targets: ["wirewatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries from Debian, reached through pkg-config.
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // CLD2 only has a C++ API; this shim gives Swift one C function over it.
        .target(
            name: "CCLD2",
            linkerSettings: [.linkedLibrary("cld2"), .linkedLibrary("stdc++")]
        ),

        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        .target(
            name: "Articles",
            dependencies: [
                "CLibXML2",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Dedup", dependencies: ["Articles"]),
        .target(name: "Analysis", dependencies: ["Articles", "CCLD2"]),
        .target(
            name: "Storage",
            dependencies: [
                "Articles",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "WirewatchService",
            dependencies: [
                "ZeroMQ", "Articles", "Dedup", "Analysis", "Storage", "CSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "wirewatchd",
            dependencies: [
                "WirewatchService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "wirewatch",
            dependencies: [
                "WirewatchService", "ZeroMQ", "Articles", "Dedup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .target(name: "TestSupport", dependencies: ["ZeroMQ", "WirewatchService"], path: "Tests/TestSupport"),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "TestSupport"]),
        .testTarget(name: "ArticlesTests", dependencies: ["Articles"]),
        .testTarget(name: "DedupTests", dependencies: ["Dedup", "Articles", "WirewatchService", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Articles"]),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "Articles", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TestSupport", "ZeroMQ", "WirewatchService", "wirewatchd", "wirewatch"]
        ),
    ]
)
