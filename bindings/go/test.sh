#!/usr/bin/env bash
# The Go binding's gate: builds libtoz, then runs go vet, go test -race and go test -tags debug
# against a fresh toz-server (scripts/with-server.sh). Runs from any directory; extra arguments
# go to both `go test` runs (e.g. -v or -run NAME).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
[[ $target == /* ]] || target=$root/$target
libdir=$target/debug

export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "test.sh: go is not installed (looked in PATH and /usr/local/go/bin)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "test.sh: gcc is needed for cgo and -race" >&2; exit 1; }

(cd "$root" && cargo build -q -p toz)

export CGO_ENABLED=1
export GOTOOLCHAIN=local GOPROXY=off # no downloads: the module has no dependencies
export CGO_CFLAGS="-I$root/include"
export CGO_LDFLAGS="-L$libdir -Wl,-rpath,$libdir"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

cd "$here"
go version
exec "$root/scripts/with-server.sh" -- bash -c '
  set -euo pipefail
  echo "== go vet ./..."
  go vet ./...
  echo "== go test -race ./..."
  go test -race -count=1 "$@" ./...
  echo "== go test -tags debug ./..."
  go test -tags debug -count=1 "$@" ./...
' test.sh "$@"
