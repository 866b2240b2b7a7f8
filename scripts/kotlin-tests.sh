#!/usr/bin/env bash
# The Kotlin test suite of the generated bindings, on a real JVM with JNA against the host
# cdylib. Installs what it needs when missing and fails loudly if it cannot (never skips; see
# scripts/kotlin-common.sh). Then: generate the Kotlin bindings (bindings/generate.sh), build
# onsite-server (for the sync test), compile generated + test sources, run them; the last line
# is "kotlin: N passed, N failed".
#   scripts/kotlin-tests.sh                              # every test class
#   scripts/kotlin-tests.sh app.onsite.tests.VisitTest   # some classes
set -euo pipefail
cd "$(dirname "$0")/.."
kotlin_tag=kotlin-tests
# shellcheck source=scripts/kotlin-common.sh
source scripts/kotlin-common.sh
kotlin_tools_install

if [[ $# -gt 0 ]]; then classes=("$@"); else classes=(app.onsite.tests.VisitTest app.onsite.tests.SyncTest); fi
lib="$(bindings/generate.sh kotlin | tail -n 1)"
# The sync test runs the real server binary ($ONSITE_SERVER_BIN, built here unless given).
if [[ " ${classes[*]} " == *SyncTest* && -z "${ONSITE_SERVER_BIN:-}" ]]; then
    cargo build --locked -p onsite-server --bin onsite-server >&2
    export ONSITE_SERVER_BIN="$target_dir/debug/onsite-server"
fi

out="$target_dir/kotlin-tests"
kotlin_compile "$out/classes" $(generated_kotlin) bindings/kotlin-tests/src/*.kt

java -Djna.library.path="$(dirname "$lib")" \
    -cp "$out/classes:$jars:$kotlin_home/lib/kotlin-stdlib.jar" \
    app.onsite.tests.RunnerKt "${classes[@]}"
