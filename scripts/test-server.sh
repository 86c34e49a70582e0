#!/usr/bin/env bash
# Runs the whole toz-server test suite: unit tests, the HTTP conformance suite on SQLite and on
# PostgreSQL, the two-instance (scale-out) test, the notes and files suites and the operational
# tests (kill -9, SIGTERM, concurrent one-time tokens), next to a throwaway PostgreSQL server
# (scripts/with-postgres.sh). Extra arguments go to `cargo test`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec scripts/with-postgres.sh -- cargo test -p toz-server "$@"
