#!/usr/bin/env bash
# Interop between the bindings, on one live toz-server: every language registers a client and
# saves its e3db.json; each writes a record and shares it with the others' clients (whose ids it
# reads from the files the *other* bindings saved); each reads every other language's record,
# and loads another language's e3db.json and reads as that client.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="/usr/local/go/bin:$PATH"

# Build each language's runner once.
target=${CARGO_TARGET_DIR:-$root/target}/debug
(cd "$root" && cargo build -q -p toz)
export CGO_CFLAGS="-I$root/include" CGO_LDFLAGS="-L$target -Wl,-rpath,$target"
go_bin=$(mktemp -d)/interop
(cd "$root/bindings/go" && go build -o "$go_bin" ./cmd/interop)
python_venv="$root/bindings/python/.venv"
[[ -x "$python_venv/bin/python" ]] || "$root/bindings/python/test.sh" --install-only
"$root/bindings/kotlin/interop.sh" --build

run() {
  local lang=$1
  shift
  case "$lang" in
    python) "$python_venv/bin/python" "$root/bindings/python/interop.py" "$@" ;;
    go) "$go_bin" "$@" ;;
    kotlin) "$root/bindings/kotlin/interop.sh" "$@" ;;
  esac
}
export -f run
export root go_bin python_venv

"$root/scripts/with-server.sh" -- bash -c '
  set -euo pipefail
  dir=$(mktemp -d)
  langs=(python go kotlin)
  for step in register write read; do
    for lang in "${langs[@]}"; do
      others=()
      for o in "${langs[@]}"; do [[ "$o" != "$lang" ]] && others+=("$o"); done
      run "$lang" "$step" "$dir" "$lang" "${others[@]}"
    done
  done
  echo "interop: 3 languages wrote, shared and read each other'"'"'s records; 3 passed, 0 failed"
'
