# Sourced by the scripts in this folder: repository root, cargo target dir, messages.
# shellcheck shell=bash
TOZ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOZ_TARGET_DIR=${CARGO_TARGET_DIR:-$TOZ_ROOT/target}
export PATH="$PATH:${CARGO_HOME:-${HOME:-/root}/.cargo}/bin"
cd "$TOZ_ROOT"

say() { printf '%s: %s\n' "$(basename "$0" .sh)" "$*"; }
die() { printf '%s: FAIL: %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }
