#!/usr/bin/env bash
# Builds libtoz and runs the Swift binding's XCTest suite next to a live toz-server
# (scripts/with-server.sh). Without a Swift toolchain it says so loudly and exits 0, so that the
# repository's test command can run everywhere; that line means the binding was NOT checked.
#
#   bindings/swift/test.sh [extra `swift test` arguments]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

# `swift` may also be OpenStack's object-store client; only a toolchain prints "Swift version".
if ! command -v swift >/dev/null 2>&1 || ! swift --version 2>&1 | grep -qi 'swift version'; then
  echo "SWIFT SUITE NOT RUN: no Swift toolchain on this machine (bindings/swift was not compiled or tested)"
  exit 0
fi

cd "$root"
# with-server.sh builds libtoz and toz-server (debug) and exports TOZ_LIBRARY; the package links
# against that directory (TOZ_LIB_DIR, read by Package.swift) and records it as an rpath. The
# *_LIBRARY_PATH variables are a fallback for toolchains that ignore the rpath.
exec scripts/with-server.sh -- bash -c '
  set -euo pipefail
  lib_dir=$(dirname "$TOZ_LIBRARY")
  export TOZ_LIB_DIR="$lib_dir" LIBRARY_PATH="$lib_dir${LIBRARY_PATH:+:$LIBRARY_PATH}"
  export LD_LIBRARY_PATH="$lib_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export DYLD_LIBRARY_PATH="$lib_dir${DYLD_LIBRARY_PATH:+:$DYLD_LIBRARY_PATH}"
  cd bindings/swift
  swift build --build-tests
  swift test "$@"
' swift-test "$@"
