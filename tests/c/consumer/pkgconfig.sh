#!/usr/bin/env bash
# Builds and runs main.c against an install prefix using only `pkg-config toz`.
# Usage: pkgconfig.sh PREFIX C_COMPILER WORK_DIR
set -euo pipefail
prefix=$1 cc=$2 work=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PKG_CONFIG_PATH="$(find "$prefix" -name toz.pc -printf '%h\n' | head -n1)"
[[ -n $PKG_CONFIG_PATH ]] || { echo "no toz.pc under $prefix" >&2; exit 1; }
mkdir -p "$work"

echo "pkg-config --modversion toz: $(pkg-config --modversion toz)"
cflags=$(pkg-config --cflags toz)
libs=$(pkg-config --libs toz)
libdir=$(pkg-config --variable=libdir toz)
echo "pkg-config --cflags --libs toz: $cflags $libs"
# The .pc file is relocatable: its paths point into this prefix.
[[ $(cd "$libdir" && pwd) == $(cd "$prefix" && pwd)/* ]] || { echo "libdir $libdir is outside $prefix" >&2; exit 1; }
[[ " $(pkg-config --static --libs toz) " == *" -lpthread "* ]] || { echo "Libs.private lacks -lpthread" >&2; exit 1; }

# shellcheck disable=SC2086 # word splitting of pkg-config output is intended
"$cc" -DEXPECT_SHARED=1 -o "$work/consumer_pc" "$here/main.c" $cflags $libs -ldl -Wl,-rpath,"$libdir"
"$work/consumer_pc"
