#!/usr/bin/env bash
# Runs a main class of the test sources in its own JVM (not Maven's), for bench.sh and interop.sh.
#   run-test-main.sh --build              compile and record the test classpath, then exit
#   run-test-main.sh <MainClass> [args]   run it (building first when a source or pom.xml changed)
# libtoz is found through TOZ_LIBRARY (or jna.library.path), as in the tests.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
classpath_file="$here/target/test-main.classpath"

build() {
  mvn -q -B -ntp -f "$here/pom.xml" test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file" >&2
  touch "$classpath_file" # the plugin leaves an unchanged file alone; its time marks this build
}

if [[ "${1:-}" == "--build" ]]; then
  build
  exit 0
fi
if [[ $# -eq 0 ]]; then
  echo "usage: run-test-main.sh --build | <MainClass> [args...]" >&2
  exit 2
fi
if [[ ! -f "$classpath_file" ]] || [[ -n "$(find "$here/src" "$here/pom.xml" -newer "$classpath_file" -print -quit)" ]]; then
  build
fi
exec java -cp "$here/target/test-classes:$here/target/classes:$(cat "$classpath_file")" "$@"
