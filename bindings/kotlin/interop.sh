#!/usr/bin/env bash
# The Kotlin side of scripts/test-interop.sh (src/test/kotlin/dev/toz/InteropStep.kt):
#   interop.sh --build
#   interop.sh <register|write|read> <dir> <lang> [other langs...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ "${1:-}" == "--build" ]]; then
  exec "$here/run-test-main.sh" --build
fi
exec "$here/run-test-main.sh" dev.toz.InteropStep "$@"
