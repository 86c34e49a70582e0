#!/usr/bin/env bash
# Runs a command next to a throwaway PostgreSQL server: `scripts/with-postgres.sh -- cmd args...`.
# Works on a fresh Debian 12 machine as root: installs PostgreSQL when its binaries are missing,
# starts a cluster in a temporary directory on a free loopback port (as an unprivileged user when
# run as root), exports TOZ_TEST_DATABASE_URL=postgres://... for the command, and stops the
# cluster on exit whatever the command's outcome.
set -euo pipefail
[[ "${1:-}" == "--" ]] && shift
[[ $# -gt 0 ]] || { echo "usage: scripts/with-postgres.sh -- <command> [args...]" >&2; exit 2; }


find_pg_bin() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
            echo "$d"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

PG_BIN="$(find_pg_bin || true)"
if [ -z "$PG_BIN" ]; then
    echo "with-postgres.sh: PostgreSQL not found; installing it with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    PG_BIN="$(find_pg_bin)"
fi
echo "with-postgres.sh: using PostgreSQL from $PG_BIN" >&2

# PostgreSQL refuses to run as root: run the cluster as an unprivileged system user.
RUN_AS=()
PG_USER="$(id -un)"
if [ "$(id -u)" = "0" ]; then
    PG_USER=toztest
    if ! id "$PG_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
    fi
    RUN_AS=(runuser -u "$PG_USER" --)
fi

PG_DIR="$(mktemp -d /tmp/toz-pg.XXXXXX)"
chmod 755 "$PG_DIR"
[ "$(id -u)" = "0" ] && chown "$PG_USER" "$PG_DIR"

free_port() {
    local p
    for p in $(seq 55432 55532); do
        if ! (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
PG_PORT="$(free_port)"

cleanup() {
    "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap cleanup EXIT INT TERM

"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
"${RUN_AS[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres toz_test

export TOZ_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/toz_test"
echo "with-postgres.sh: PostgreSQL on $TOZ_TEST_DATABASE_URL" >&2

"$@"
