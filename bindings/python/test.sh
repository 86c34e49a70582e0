#!/usr/bin/env bash
# The Python binding's suite: a venv in bindings/python/.venv with the package and pytest,
# run by pytest next to a fresh toz-server (scripts/with-server.sh). Extra arguments go to pytest.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=$here/.venv

if [[ ! -x "$venv/bin/python" ]]; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    # Debian/Ubuntu ship venv (ensurepip) separately.
    [[ $(id -u) == 0 ]] || { echo "test.sh: python3 -m venv failed; install python3-venv" >&2; exit 1; }
    echo "test.sh: installing python3-venv" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "pytest>=7"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$here"

[[ "${1:-}" == "--install-only" ]] && exit 0

cd "$root"
# Run from the tests folder's parent with the installed package, not the source tree.
exec scripts/with-server.sh -- "$venv/bin/python" -m pytest -p no:cacheprovider --rootdir "$here" "$here/tests" "$@"
