#!/usr/bin/env bash
# Benchmarks a release toz-server on loopback with toz-loadgen (docs/benchmarks.md).
# Usage: server/benches/loadgen.sh DATABASE_URL [LABEL] [extra toz-loadgen flags...]
#   e.g. server/benches/loadgen.sh sqlite:///tmp/toz-bench/toz.db sqlite
#        server/benches/loadgen.sh postgres://postgres@127.0.0.1:55432/toz_bench postgres
# The server and the load generator share the machine's cores; bounded by --requests/--seconds.
set -euo pipefail
DB="${1:?database URL}"
LABEL="${2:-bench}"
shift $(( $# >= 2 ? 2 : 1 ))
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
cargo build --release -p toz-server --bins >&2
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
EMAIL="bench-$(date +%s%N)@example.com"
"$BIN/toz-server" account create --database "$DB" --email "$EMAIL" >/dev/null
TOKEN="$("$BIN/toz-server" token create --database "$DB" --email "$EMAIL")"
OUT="$(mktemp)"
"$BIN/toz-server" serve --listen 127.0.0.1:0 --database "$DB" --log-level error >"$OUT" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -f "$OUT"' EXIT
for _ in $(seq 50); do [ -s "$OUT" ] && break; sleep 0.1; done
URL="$(head -1 "$OUT" | sed 's/^listening on //')"
"$BIN/toz-loadgen" --url "$URL" --token "$TOKEN" --label "$LABEL" "$@"
