#!/usr/bin/env bash
# The binding benchmarks of docs/bindings.md side by side in one run, against the release
# libtoz: C (baseline), Python, Go and Kotlin, each run ROUNDS times alternately; the best run of
# each is kept (the machine is shared and noisy) and shown as a ratio to C.
#   scripts/bench-bindings.sh [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-3}
export PATH="/usr/local/go/bin:$PATH"
target=${CARGO_TARGET_DIR:-$root/target}/release
(cd "$root" && cargo build -q --release -p toz)
export TOZ_LIBRARY="$target/libtoz.so" LD_LIBRARY_PATH="$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cc -O2 -std=c99 -I"$root/include" "$root/benches/c/bench_abi.c" -o "$work/bench_c" -L"$target" -ltoz -Wl,-rpath,"$target"
(cd "$root/bindings/go" && CGO_CFLAGS="-I$root/include" CGO_LDFLAGS="-L$target -Wl,-rpath,$target" go build -o "$work/bench_go" ./cmd/bench)
[[ -x "$root/bindings/python/.venv/bin/python" ]] || "$root/bindings/python/test.sh" --install-only
"$root/bindings/kotlin/bench.sh" --build >/dev/null

run() {
  case "$1" in
    c) "$work/bench_c" ;;
    go) "$work/bench_go" ;;
    python) "$root/bindings/python/.venv/bin/python" "$root/bindings/python/bench.py" ;;
    kotlin) "$root/bindings/kotlin/bench.sh" ;;
  esac
}

for _ in $(seq "$rounds"); do
  for lang in c python go kotlin; do run "$lang" | grep '^BENCH' >>"$work/lines"; done
done
python3 - "$work/lines" <<'PY'
import sys, collections
best = collections.defaultdict(lambda: [float("inf"), float("inf")])
for line in open(sys.argv[1]):
    _, lang, *fields = line.split()
    values = dict(f.split("=") for f in fields)
    b = best[lang]
    b[0] = min(b[0], float(values["version_ns"]))
    b[1] = min(b[1], float(values["roundtrip_us"]))
c = best["c"]
print("| binding | toz_version call | vs C | small-record encrypt+decrypt | vs C |")
print("|---|---|---|---|---|")
for lang in ["c", "python", "go", "kotlin"]:
    v, r = best[lang]
    print(f"| {lang} | {v:.1f} ns | {v / c[0]:.1f}x | {r:.1f} µs | {r / c[1]:.2f}x |")
PY
