#!/usr/bin/env bash
# Runs the Kotlin/JVM binding's JUnit suite against a fresh toz-server (scripts/with-server.sh).
# Works from any directory. Extra arguments go to Maven, e.g. `bindings/kotlin/test.sh -Dtest=OfflineTest`.
# Needs Java 17+ and Maven 3.8+; Maven fetches the dependencies from Maven Central on first run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

(cd "$root" && cargo build -q -p toz)
exec "$root/scripts/with-server.sh" -- mvn -B -ntp -f "$here/pom.xml" test "$@"
