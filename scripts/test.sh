#!/usr/bin/env bash
# Every test of the project, on a fresh Debian 12 machine: installs what is missing, then runs
# each stage and reports all of them (a failing stage does not hide the ones after it).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
"$root/scripts/setup.sh" --test || exit 1
export PATH="$HOME/.cargo/bin:/usr/local/go/bin:$PATH"

passed=0
failed=0
failures=()
stage() {
  local name=$1
  shift
  echo
  echo "=== $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "=== $name: FAILED ($((SECONDS - start)) s)"
  fi
}

stage "rustfmt" cargo fmt --all --check
stage "clippy" cargo clippy --workspace --all-targets -- -D warnings
stage "build" cargo build -p toz -p toz-server
stage "header is generated and committed" scripts/check-header.sh
stage "libtoz exports only toz_* symbols" scripts/check-symbols.sh
stage "libtoz unit, vector and live-server tests" cargo test -p toz
stage "toz-server conformance (SQLite and PostgreSQL)" scripts/test-server.sh
stage "C tests (ctest, sanitizers, valgrind)" scripts/test-c.sh
# The live C tests once more, with toz-server on PostgreSQL (records, sharing, backups, notes,
# files); the build-c tree comes from the stage above.
stage "live C tests on PostgreSQL" scripts/with-postgres.sh -- bash -c \
  'TOZ_WITH_SERVER_DATABASE=$TOZ_TEST_DATABASE_URL scripts/with-server.sh --release -- ctest --test-dir build-c -L live -LE valgrind --output-on-failure'
stage "binding coverage" python3 scripts/check-bindings.py
stage "Python binding" bindings/python/test.sh
stage "Go binding" bindings/go/test.sh
stage "Kotlin binding" bindings/kotlin/test.sh
# Each binding's suite (notes and files included) once more against toz-server on PostgreSQL,
# each on a fresh database.
for binding in python go kotlin; do
  stage "${binding^} binding on PostgreSQL" scripts/with-postgres.sh -- bash -c \
    "TOZ_WITH_SERVER_DATABASE=\$TOZ_TEST_DATABASE_URL bindings/$binding/test.sh"
done
stage "Swift binding (not run without a Swift toolchain, and says so)" bindings/swift/test.sh
stage "cross-binding interop" scripts/test-interop.sh
stage "Dashboard in headless Chromium" tests/dashboard/run.sh

echo
echo "=== summary"
for f in "${failures[@]}"; do echo "FAILED: $f"; done
command -v swift >/dev/null 2>&1 ||
  echo "NOTE: the Swift binding's suite was NOT RUN: this machine has no Swift toolchain"
echo "stages: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
