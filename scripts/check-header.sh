#!/usr/bin/env bash
# Header drift gate: build.rs regenerates include/toz.h on every cargo build; the committed header
# must be exactly what the build produces.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

git ls-files --error-unmatch include/toz.h >/dev/null 2>&1 || die "include/toz.h is not committed (git add include/toz.h)"
# build.rs reruns only when one of its rerun-if-changed inputs is newer than its last run; touching
# one (cbindgen.toml) makes it regenerate the header even when target/ is warm.
touch cbindgen.toml
say "cargo build --lib (build.rs regenerates include/toz.h)"
cargo build --lib --quiet
if ! git diff --exit-code --stat -- include/toz.h; then
  git --no-pager diff -- include/toz.h | head -n 60 >&2
  die "include/toz.h differs from the committed version after a build: the ABI in src/ffi changed. Review the diff above and commit the regenerated include/toz.h."
fi
say "OK: include/toz.h is unchanged by the build"
