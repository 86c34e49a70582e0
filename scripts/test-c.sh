#!/usr/bin/env bash
# C-level gate: CMake build + ctest of tests/c, three ways:
#   (a) normal build (build-c/), (b) AddressSanitizer + UBSan build (build-c-asan/),
#   (c) the C test programs of (a) under valgrind with no leaks.
# Also checks that the native link libraries CMake and toz.pc give for libtoz.a match rustc's.
# Installs cmake, valgrind, pkg-config and g++ with apt-get when they are missing (as root).
set -euo pipefail
# The live C tests need a server: run the whole script next to one (its variables reach ctest).
if [[ -z "${TOZ_TEST_API_URL:-}" ]]; then
  exec "$(dirname "${BASH_SOURCE[0]}")/with-server.sh" --release -- "${BASH_SOURCE[0]}" "$@"
fi
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# --- tools ------------------------------------------------------------------------------------
missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
command -v nm >/dev/null || missing+=(binutils)
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || die "missing tools: ${missing[*]} (install them, or run as root to let this script do it)"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || die "cargo is not installed"
say "cmake $(cmake --version | head -n1 | awk '{print $3}'), $(valgrind --version), pkg-config $(pkg-config --version), $(g++ --version | head -n1)"

jobs=$(nproc 2>/dev/null || echo 2)
configure_and_build() { # build_dir, cmake options...
  local dir=$1
  shift
  say "configure $dir ($*)"
  mkdir -p "$dir"
  cmake -S "$TOZ_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DTOZ_CARGO_PROFILE=release "$@" >"$dir/configure.log" 2>&1 ||
    { cat "$dir/configure.log" >&2; die "cmake configure of $dir failed"; }
  say "build $dir"
  cmake --build "$dir" --parallel "$jobs"
}
test_programs() { # build_dir: the executables of toz_add_c_test
  find "$1/tests/c" -maxdepth 1 -type f -perm -u+x
}
has_symbol() { # executable, symbol (grep -c reads all of nm's output: no SIGPIPE under pipefail)
  [[ $(nm "$1" | grep -c -- "$2") -gt 0 ]]
}
run_ctest() { # build_dir, ctest options...
  local dir=$1
  shift
  say "ctest --test-dir $dir $*"
  ctest --test-dir "$dir" --output-on-failure --no-tests=error "$@"
}

# --- (a) normal build ---------------------------------------------------------------------------
configure_and_build "$TOZ_ROOT/build-c" -DTOZ_SANITIZE=OFF -DTOZ_VALGRIND=ON
for exe in $(test_programs "$TOZ_ROOT/build-c"); do
  if has_symbol "$exe" __asan_init; then die "$exe is instrumented with ASan in the normal build"; fi
done
run_ctest "$TOZ_ROOT/build-c" -LE valgrind

# --- native link libraries of libtoz.a: CMake/pkg-config list == rustc's -------------------------
# rustc prints them only when it links, so a fresh staticlib is relinked (dev profile: cheap, and
# the release artifacts the builds above use stay as they are).
native_libs() {
  cargo rustc --lib --crate-type staticlib --quiet -- --print native-static-libs 2>&1 |
    sed -n 's/.*native-static-libs: //p'
}
printed=$(native_libs)
if [[ -z $printed ]]; then
  cargo clean -p toz --quiet
  printed=$(native_libs)
fi
[[ -n $printed ]] || die "cargo rustc --print native-static-libs printed nothing"
rustc_libs=$(tr ' ' '\n' <<<"$printed" | grep -vxE -- '-l(c|gcc_s)|' | sort -u | tr '\n' ' ')
pc_libs=$(sed -n 's/^Libs.private: //p' "$TOZ_ROOT/build-c/toz.pc" | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
say "native-static-libs: rustc: $printed; toz.pc/tozConfig.cmake: $pc_libs"
[[ $rustc_libs == "$pc_libs" ]] ||
  die "TOZ_NATIVE_LIBS in CMakeLists.txt ($pc_libs) must match rustc's list without -lc/-lgcc_s ($rustc_libs)"

# --- (b) AddressSanitizer + UBSan build ------------------------------------------------------------
configure_and_build "$TOZ_ROOT/build-c-asan" -DTOZ_SANITIZE=ON -DTOZ_VALGRIND=OFF
count=0
for exe in $(test_programs "$TOZ_ROOT/build-c-asan"); do
  has_symbol "$exe" __asan_init || die "$exe is not linked with AddressSanitizer"
  has_symbol "$exe" __ubsan_handle_ || die "$exe is not linked with UBSan"
  count=$((count + 1))
done
((count > 0)) || die "no test programs found in build-c-asan/tests/c"
say "ASan and UBSan are linked into all $count test programs of build-c-asan"
run_ctest "$TOZ_ROOT/build-c-asan"

# --- (c) valgrind ----------------------------------------------------------------------------------
run_ctest "$TOZ_ROOT/build-c" -L valgrind

say "OK: normal, sanitizer and valgrind C test runs passed"
