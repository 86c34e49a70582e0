#!/usr/bin/env bash
# The Kotlin binding's overhead benchmark (docs/bindings.md): prints one line
#   BENCH kotlin version_ns=<ns per toz_version call> roundtrip_us=<µs per encrypt+decrypt>
# Uses TOZ_LIBRARY when set; otherwise builds the release libtoz (cargo build --release -p toz) and
# uses target/release/libtoz.so. Works from any directory; needs no server. The benchmark is
# src/test/kotlin/dev/toz/Bench.kt. `bench.sh --build` only compiles it (scripts/bench-bindings.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

if [[ "${1:-}" == "--build" ]]; then
  exec "$here/run-test-main.sh" --build
fi
if [[ -z "${TOZ_LIBRARY:-}" ]]; then
  (cd "$root" && cargo build -q --release -p toz) >&2
  export TOZ_LIBRARY="${CARGO_TARGET_DIR:-$root/target}/release/libtoz.so"
fi
exec "$here/run-test-main.sh" dev.toz.BenchKt
