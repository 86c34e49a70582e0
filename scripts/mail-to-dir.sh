#!/usr/bin/env bash
# A mail command for toz-server's tests (`serve --mail-command "scripts/mail-to-dir.sh DIR"`):
# keeps each message it gets on standard input as a new file in DIR, the way a maildir does,
# so tests can read the one-time codes that note challenges send.
set -euo pipefail
dir=${1:?usage: mail-to-dir.sh DIR}
mkdir -p "$dir"
tmp=$(mktemp "$dir/.incoming.XXXXXX")
cat >"$tmp"
# Rename into place so a reader never sees half a message; the name sorts by arrival.
mv "$tmp" "$dir/$(date +%s%N)-$$.eml"
