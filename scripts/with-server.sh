#!/usr/bin/env bash
# Runs a command next to a fresh toz-server on loopback, for the C, binding and interop tests.
#
#   scripts/with-server.sh [--release] -- <command> [args...]
#
# Builds libtoz and toz-server (debug unless --release), starts the server on a free port with a
# new SQLite database, creates an account and an unlimited registration token, then runs the
# command with these variables set, and stops the server afterwards (whatever the outcome):
#   TOZ_TEST_API_URL               base URL of the server (http://127.0.0.1:PORT)
#   TOZ_TEST_REGISTRATION_TOKEN    an unlimited registration token of the account
#   TOZ_TEST_ACCOUNT_EMAIL         the account's e-mail (for `toz-server token create`)
#   TOZ_TEST_BACKUP_CREDENTIALS    path of the account backup client's e3db.json
#   TOZ_TEST_DATABASE              the server's database URL
#   TOZ_TEST_BLOB_DIR              where the server keeps file bytes (--blob-dir)
#   TOZ_TEST_MAIL_DIR              where the server's mail lands, one file a message
#                                  (--mail-command scripts/mail-to-dir.sh)
#   TOZ_SERVER_BIN                 the toz-server binary
#   TOZ_LIBRARY                    path of libtoz.so (bindings load it from here)
# The command's exit status is the script's. With TOZ_WITH_SERVER_DATABASE set (e.g. the
# postgres:// URL of scripts/with-postgres.sh, which must be a fresh database) the server uses that
# database instead of a new SQLite file.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
profile=debug
cargo_flags=()
if [[ "${1:-}" == "--release" ]]; then
  profile=release
  cargo_flags=(--release)
  shift
fi
[[ "${1:-}" == "--" ]] && shift
if [[ $# -eq 0 ]]; then
  echo "usage: scripts/with-server.sh [--release] -- <command> [args...]" >&2
  exit 2
fi

target=${CARGO_TARGET_DIR:-$root/target}
(cd "$root" && cargo build -q "${cargo_flags[@]}" -p toz -p toz-server)

work=$(mktemp -d "${TMPDIR:-/tmp}/toz-with-server.XXXXXX")
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export TOZ_SERVER_BIN="$target/$profile/toz-server"
export TOZ_LIBRARY="$target/$profile/libtoz.so"
export TOZ_TEST_DATABASE="${TOZ_WITH_SERVER_DATABASE:-sqlite://$work/toz.db}"
export TOZ_TEST_ACCOUNT_EMAIL="owner@example.com"

# File bytes go to a known directory whatever the database, so tests can find (and tamper with) them.
export TOZ_TEST_BLOB_DIR="$work/blobs"
# Mail (the one-time codes of note challenges) goes to files there, for tests to read.
export TOZ_TEST_MAIL_DIR="$work/mail"
"$TOZ_SERVER_BIN" serve --listen 127.0.0.1:0 --database "$TOZ_TEST_DATABASE" --blob-dir "$TOZ_TEST_BLOB_DIR" \
  --mail-command "'$root/scripts/mail-to-dir.sh' '$TOZ_TEST_MAIL_DIR'" \
  --log-level warn >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 100); do
  if [[ -s "$work/server.out" ]]; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "toz-server failed to start:" >&2
    cat "$work/server.err" >&2
    exit 1
  fi
  sleep 0.1
done
line=$(head -n 1 "$work/server.out")
export TOZ_TEST_API_URL=${line#listening on }
if [[ "$TOZ_TEST_API_URL" != http://127.0.0.1:* ]]; then
  echo "unexpected first line from toz-server: $line" >&2
  exit 1
fi

"$TOZ_SERVER_BIN" account create --database "$TOZ_TEST_DATABASE" --email "$TOZ_TEST_ACCOUNT_EMAIL" >"$work/backup.json"
# The CLI does not know the listening port; point the backup client at this server.
python3 - "$work/backup.json" "$TOZ_TEST_API_URL" <<'PY'
import json, sys
path, url = sys.argv[1], sys.argv[2]
creds = json.load(open(path))
creds["api_url"] = url
json.dump(creds, open(path, "w"))
PY
export TOZ_TEST_BACKUP_CREDENTIALS="$work/backup.json"
export TOZ_TEST_REGISTRATION_TOKEN=$("$TOZ_SERVER_BIN" token create --database "$TOZ_TEST_DATABASE" --email "$TOZ_TEST_ACCOUNT_EMAIL" --unlimited)

set +e
"$@"
status=$?
set -e
exit $status
