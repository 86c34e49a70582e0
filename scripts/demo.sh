#!/usr/bin/env bash
# The README's demo: builds libtoz and toz-server (release), starts a server on a temporary SQLite
# database, creates an account and a registration token, then builds and runs examples/quickstart.c.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" --demo
target=${CARGO_TARGET_DIR:-$root/target}/release
build=$(mktemp -d "${TMPDIR:-/tmp}/toz-demo.XXXXXX")
trap 'rm -rf "$build"' EXIT
# with-server.sh builds the release library first, then runs the compile-and-run step with the
# server's address in the environment.
"$root/scripts/with-server.sh" --release -- bash -c '
  set -euo pipefail
  cc -std=c99 -Wall -Wextra -O2 -I"$0/include" "$0/examples/quickstart.c" -o "$1/quickstart" -L"$2" -ltoz -Wl,-rpath,"$2"
  TOZ_API_URL=$TOZ_TEST_API_URL TOZ_REGISTRATION_TOKEN=$TOZ_TEST_REGISTRATION_TOKEN \
    TOZ_BACKUP_CREDENTIALS=$TOZ_TEST_BACKUP_CREDENTIALS "$1/quickstart"
' "$root" "$build" "$target"
