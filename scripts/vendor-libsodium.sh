#!/usr/bin/env bash
# Re-fetches the pinned libsodium.js "sumo" browser ES modules (the Dashboard's only crypto
# library) from the npm registry, checks each tarball's sha512 against the pins below, and writes
# server/web/vendor/. The vendored copies are committed, so building toz-server needs no network
# and no npm; run this only to re-vendor, or with --check to prove the committed files are exactly
# what the pinned packages contain (exit 1 on any difference).
#
# The one change made to the upstream files: the wrapper module imports the core module by its
# bare npm name ("libsodium-sumo"), which a browser cannot resolve without an inline import map
# (forbidden by the Dashboard's Content-Security-Policy), so it is rewritten to the relative
# "./libsodium-sumo.mjs". The script checks that exactly one such import was rewritten.
#
# Usage: scripts/vendor-libsodium.sh [--check]
set -euo pipefail

VERSION=0.8.4
# sha512 of the npm tarballs (the registry's dist.integrity, in hex).
WRAPPERS_SHA512=aa5ee1720ba5299dde91f6b60c602881c08ab1653476203fd2702bcf5085ce1f7759075be3afca8f5f246bf1e27eaeae03752c877e0f73abd4ffa1d7791c1492
CORE_SHA512=4ccb474a141f555b1ac43ca0c9aa6f502de8ed8b0f8176bf85159e220cf2173eb0e64ff5862ac6a6d0b1a7553b5f05b7ac2b246934d82a0575d2ff3a5221a037

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=$root/server/web/vendor
mode=${1:-write}
case "$mode" in write | --check) ;; *) echo "usage: $0 [--check]" >&2; exit 2 ;; esac

command -v npm >/dev/null || { echo "vendor-libsodium.sh: npm is required" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() { # name sha512 -> extracts to $work/$name
  local name=$1 want=$2 tgz got
  (cd "$work" && npm pack --silent "$name@$VERSION" >/dev/null)
  tgz=$work/$name-$VERSION.tgz
  got=$(sha512sum "$tgz" | cut -d' ' -f1)
  if [[ "$got" != "$want" ]]; then
    echo "vendor-libsodium.sh: $name@$VERSION checksum mismatch (got $got)" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  tar -xzf "$tgz" -C "$work/$name"
}
fetch libsodium-wrappers-sumo "$WRAPPERS_SHA512"
fetch libsodium-sumo "$CORE_SHA512"

out=$work/out
mkdir -p "$out"
wrappers=$work/libsodium-wrappers-sumo/package/dist/modules-sumo-esm/libsodium-wrappers.mjs
core=$work/libsodium-sumo/package/dist/modules-sumo-esm/libsodium-sumo.mjs
n=$(grep -o 'from"libsodium-sumo"' "$wrappers" | wc -l)
[[ "$n" == 1 ]] || { echo "vendor-libsodium.sh: expected one bare import, found $n" >&2; exit 1; }
sed 's|from"libsodium-sumo"|from"./libsodium-sumo.mjs"|' "$wrappers" >"$out/libsodium-wrappers-sumo.mjs"
cp "$core" "$out/libsodium-sumo.mjs"
cp "$work/libsodium-wrappers-sumo/package/LICENSE" "$out/LICENSE"
cat >"$out/README.md" <<EOF
# Vendored libsodium.js (sumo) $VERSION

Written by \`scripts/vendor-libsodium.sh\` from the npm packages \`libsodium-wrappers-sumo@$VERSION\`
(\`dist/modules-sumo-esm/libsodium-wrappers.mjs\`) and \`libsodium-sumo@$VERSION\`
(\`dist/modules-sumo-esm/libsodium-sumo.mjs\`, WebAssembly embedded), tarball sha512 pinned in the
script. ISC licence: \`LICENSE\`. One change: the wrapper's bare import \`"libsodium-sumo"\` is
rewritten to \`"./libsodium-sumo.mjs"\`. Do not edit by hand; \`scripts/vendor-libsodium.sh --check\`
verifies these files.
EOF

if [[ "$mode" == --check ]]; then
  if diff -r "$out" "$dest" >/dev/null; then
    echo "vendor-libsodium.sh: server/web/vendor matches libsodium.js $VERSION"
  else
    diff -rq "$out" "$dest" >&2 || true
    echo "vendor-libsodium.sh: server/web/vendor differs from the pinned packages" >&2
    exit 1
  fi
else
  mkdir -p "$dest"
  rm -f "$dest"/*
  cp "$out"/* "$dest"/
  echo "vendor-libsodium.sh: wrote server/web/vendor (libsodium.js $VERSION)"
fi
