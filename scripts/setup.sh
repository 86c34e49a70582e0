#!/usr/bin/env bash
# Installs what toz needs on a fresh Debian 12 machine (as root), and nothing that is already
# there. `--demo` installs what the demo needs; `--test` (the default) everything the tests need.
set -euo pipefail
mode=${1:---test}

need=()
have() { command -v "$1" >/dev/null 2>&1; }
want() { have "$1" || need+=("$2"); }

want cc gcc
want make make
want python3 python3
if [[ "$mode" == "--test" ]]; then
  want c++ g++
  want cmake cmake
  want valgrind valgrind
  want pkg-config pkg-config
  want curl curl
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
fi

if [[ ${#need[@]} -gt 0 ]]; then
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! have cargo; then
  for dir in "$HOME/.cargo/bin" /usr/local/cargo/bin; do
    [[ -x "$dir/cargo" ]] && export PATH="$dir:$PATH"
  done
fi
have cargo || { echo "setup: Rust (cargo) is required: install it with rustup" >&2; exit 1; }
if [[ "$mode" == "--test" ]]; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy
fi
