// The Swift line of scripts/bench-bindings.sh (docs/bindings.md "Benchmarks"):
//   BENCH swift version_ns=<ns per TozLibrary.version> roundtrip_us=<µs per encrypt+decrypt>
// The round trip starts and ends with a Swift [String: String] of ten 100-byte fields.
// Run: swift run -c release TozBench   (TOZ_LIB_DIR selects the libtoz build; see README.md)

import Dispatch
import Foundation
import Toz

/// Mean nanoseconds per call of `body` over `iterations` calls.
func nanosecondsPerCall(_ iterations: Int, _ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { try body() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations)
}

func runBenchmark() throws {
    let record = Dictionary(uniqueKeysWithValues: (0..<10).map { ("f\($0)", String(repeating: "x", count: 100)) })
    let key = try AccessKey.generate()
    var checksum = 0

    _ = nanosecondsPerCall(10_000) { checksum &+= TozLibrary.version.utf8.count }
    let versionNS = nanosecondsPerCall(1_000_000) { checksum &+= TozLibrary.version.utf8.count }

    var back: [String: String] = [:]
    let roundTrip = { back = try key.decryptRecord(key.encryptRecord(record)) }
    _ = try nanosecondsPerCall(200, roundTrip)
    let roundTripNS = try nanosecondsPerCall(5_000, roundTrip)
    precondition(back == record && checksum > 0, "the round trip changed the record")

    print(String(format: "BENCH swift version_ns=%.1f roundtrip_us=%.2f", versionNS, roundTripNS / 1_000))
}

try runBenchmark()
