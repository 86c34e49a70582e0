#!/usr/bin/env bash
# Symbol gate: the release libtoz.so exports only toz_* symbols (so the libsodium inside cannot
# clash with an application's own), and exactly the functions that include/toz.h declares.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

so="$TOZ_TARGET_DIR/release/libtoz.so"
say "cargo build --release --lib"
cargo build --release --lib --quiet
[[ -f $so ]] || die "$so was not built"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/exported"
grep -v '^toz_' "$tmp/exported" >"$tmp/foreign" || true
# Declared functions: every `toz_name(` left after the preprocessor has removed the comments.
"${CC:-cc}" -E -P -x c include/toz.h | grep -oE '\btoz_[a-z0-9_]+ *\(' | tr -d ' (' | sort -u >"$tmp/declared"
grep '^toz_' "$tmp/exported" >"$tmp/exported_toz" || true

say "nm -D --defined-only $so: $(wc -l <"$tmp/exported") exported symbols, $(wc -l <"$tmp/declared") functions declared in include/toz.h"
fail=0
if [[ -s $tmp/foreign ]]; then
  echo "exported symbols without the toz_ prefix ($(wc -l <"$tmp/foreign")):" >&2
  head -n 20 "$tmp/foreign" >&2
  fail=1
fi
if grep -q '^toz_testing_' "$tmp/exported"; then
  echo "toz_testing_* symbols in a release build:" >&2
  grep '^toz_testing_' "$tmp/exported" >&2
  fail=1
fi
if comm -23 "$tmp/exported_toz" "$tmp/declared" | grep . >"$tmp/undeclared"; then
  echo "exported but not declared in include/toz.h:" >&2
  cat "$tmp/undeclared" >&2
  fail=1
fi
if comm -13 "$tmp/exported_toz" "$tmp/declared" | grep . >"$tmp/unexported"; then
  echo "declared in include/toz.h but not exported by libtoz.so:" >&2
  cat "$tmp/unexported" >&2
  fail=1
fi
((fail == 0)) || die "libtoz.so's exported symbols do not match include/toz.h"
say "OK: libtoz.so exports only toz_* and exactly the $(wc -l <"$tmp/declared") functions of include/toz.h"

# Hardening: the stack must not be executable (an assembly object without .note.GNU-stack, e.g.
# from a dependency's asm feature, would silently make it so for every process loading libtoz).
stack=$(readelf -lW "$so" | awk '$1 == "GNU_STACK" {print $7}')
[[ "$stack" == "RW" ]] || die "libtoz.so's GNU_STACK is '$stack', expected RW (non-executable stack)"
say "OK: libtoz.so has a non-executable stack"
