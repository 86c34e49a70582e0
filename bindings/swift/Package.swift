// swift-tools-version:6.0
//
// The Swift binding of libtoz: a system-library target (CToz) over the repository's
// include/toz.h, and the Swift API (Toz) on top of it. Build libtoz first (`cargo build -p toz`
// at the repository root); see README.md for how linking works.

import PackageDescription

// The directory holding libtoz.{so,dylib} for the test and benchmark executables: TOZ_LIB_DIR
// when set, else the repository's cargo debug output. It is passed to the linker (-L) and
// recorded as an rpath, so `swift test` finds the library at run time without
// LD_LIBRARY_PATH / DYLD_LIBRARY_PATH.
let libtozDirectory = Context.environment["TOZ_LIB_DIR"]
    ?? "\(Context.packageDirectory)/../../target/debug"
let linkLibtoz: [LinkerSetting] = [
    .unsafeFlags(["-L\(libtozDirectory)", "-Xlinker", "-rpath", "-Xlinker", libtozDirectory]),
]

let package = Package(
    name: "Toz",
    platforms: [.macOS(.v10_15), .iOS(.v13)],
    products: [
        .library(name: "Toz", targets: ["Toz"]),
    ],
    targets: [
        // module.modulemap: `module CToz [system] { header "shim.h" link "toz" export * }`.
        .systemLibrary(name: "CToz", path: "Sources/CToz"),
        .target(name: "Toz", dependencies: ["CToz"]),
        .executableTarget(name: "TozBench", dependencies: ["Toz"], linkerSettings: linkLibtoz),
        .testTarget(name: "TozTests", dependencies: ["Toz"], linkerSettings: linkLibtoz),
    ]
)
