// swift-tools-version:6.1
import PackageDescription

// Layers (ARCHITECTURE.md): Support (JSON, text, deadlines) under everything; HTTP (libcurl);
// MCPClient and OAuth side by side, neither importing the other; Monitor joins them; Dashboard
// is pure UI; Terminal is the ncurses backend; App runs the dashboard loop; mcptop wires it all.
// DemoServer is a loopback MCP server used by the tests and, through the separate
// mcptop-demo-server executable, by `mcptop demo`: the shipped mcptop does not link it.
// The shipped binary maps less memory when linked by lld with packed relative relocations
// (40 KiB of relocation records instead of 2.6 MiB read at every start), without exporting
// its own symbols (the static runtime's default), which nothing loads by name, and with the
// functions a dashboard runs placed side by side (scripts/mcptop.order, made by
// scripts/link-order.sh). BENCHMARKS.md ("Dashboard vs htop") has the measurements.
let releaseLinkerFlags = [
    "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic",
    "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/mcptop.order",
    "-Xlinker", "--no-warn-symbol-ordering",
]

let package = Package(
    name: "mcptop",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mcptop", targets: ["mcptop"]),
        .executable(name: "mcptop-demo-server", targets: ["DemoServerMain"]),
        .executable(name: "mcptop-bench-client", targets: ["BenchClient"]),
    ],
    // OTLP export (traces and metrics of what `watch`, `proxy` and `serve` see) costs swift-otel's build:
    // off unless asked for with `swift build --traits OTLP`.
    traits: [
        .trait(
            name: "OTLP", description: "watch, proxy and serve export traces and metrics over OTLP/HTTP (swift-otel)")
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing", from: "1.19.7"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CNCursesW", pkgConfig: "ncursesw",
            providers: [.apt(["libncursesw5-dev"])]),
        .target(
            name: "Support",
            dependencies: [
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]),
        .target(name: "HTTP", dependencies: ["CCurl", "Support"]),
        .target(
            name: "LocalServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(name: "MCPClient", dependencies: ["HTTP", "Support"]),
        .target(
            name: "OAuth",
            dependencies: [
                "HTTP", "LocalServer", "Support",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .target(
            name: "Config",
            dependencies: [
                "MCPClient", "OAuth", "Support", .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "Dashboard", dependencies: ["Config", "Monitor", "MCPClient", "Support"]),
        .target(name: "CSignalPipe"),
        .target(name: "Terminal", dependencies: ["CNCursesW", "CSignalPipe", "Dashboard"]),
        .target(name: "App", dependencies: ["Dashboard", "Monitor", "Terminal"]),
        .target(
            name: "Bridge",
            dependencies: [
                "LocalServer", "MCPClient", "Support", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        .target(
            name: "Monitor",
            dependencies: [
                "Bridge", "HTTP", "MCPClient", "OAuth", "Support",
                .product(name: "DequeModule", package: "swift-collections"),
            ]),
        .target(
            name: "MonitorMetrics",
            dependencies: [
                "LocalServer", "Monitor", "OAuth",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .target(
            name: "MonitorOTLP",
            dependencies: [
                "Bridge", "MCPClient", "Monitor", "MonitorMetrics", "OAuth",
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTLP"])),
                .product(name: "Tracing", package: "swift-distributed-tracing", condition: .when(traits: ["OTLP"])),
                .product(
                    name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["OTLP"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["OTLP"])),
                .product(name: "CoreMetrics", package: "swift-metrics", condition: .when(traits: ["OTLP"])),
            ]),
        .target(
            name: "DemoServer",
            dependencies: [
                "LocalServer", "Support", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .executableTarget(name: "DemoServerMain", dependencies: ["DemoServer"]),
        .executableTarget(
            name: "mcptop",
            dependencies: [
                "HTTP", "MCPClient", "OAuth", "Config", "Monitor", "MonitorMetrics", "MonitorOTLP", "Dashboard",
                "Terminal",
                "App", "Bridge",
                "Support", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [.unsafeFlags(releaseLinkerFlags, .when(platforms: [.linux], configuration: .release))]),
        .executableTarget(name: "BenchClient", dependencies: ["MCPClient"]),
        .testTarget(name: "MonitorOTLPTests", dependencies: ["MonitorOTLP"]),
        .testTarget(
            name: "BridgeTests",
            dependencies: [
                "Bridge", "HTTP", "LocalServer", "MCPClient", "OAuth", "Support",
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "SupportTests", dependencies: ["Support"], exclude: ["Fixtures"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "DemoServer"]),
        .testTarget(name: "MCPClientTests", dependencies: ["MCPClient", "DemoServer"], exclude: ["Fixtures"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "Support"], exclude: ["Fixtures"]),
        .testTarget(name: "DemoServerTests", dependencies: ["DemoServer"]),
        .testTarget(name: "MCPTopTests", dependencies: ["mcptop", "Config", "OAuth", "Support"]),
        .testTarget(
            name: "DashboardTests",
            dependencies: [
                "Config", "Dashboard", "Monitor", "MCPClient", "Support",
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            exclude: ["__Snapshots__"]),
        .testTarget(name: "MonitorTests", dependencies: ["Monitor", "Bridge", "OAuth", "MCPClient", "DemoServer"]),
        .testTarget(
            name: "MonitorMetricsTests",
            dependencies: [
                "MonitorMetrics", "Monitor", "Bridge", "DemoServer", "HTTP", "OAuth", "MCPClient",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]),
        .testTarget(
            name: "OAuthTests",
            dependencies: [
                "OAuth", "MCPClient", "Monitor", "Support", "DemoServer", "HTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
    ]
)
