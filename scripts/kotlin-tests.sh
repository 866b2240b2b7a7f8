#!/usr/bin/env bash
# The Kotlin test suite of the generated bindings, on a real JVM with JNA against the host
# cdylib. Installs what it needs when missing and fails loudly if it cannot (never skips):
#   - a JDK (Debian: default-jdk-headless), JNA and JUnit 4 (Debian: libjna-java libjna-jni
#     junit4);
#   - the Kotlin compiler from npm (kotlin-compiler@2.4.20, in .tools/kotlin; Debian's kotlin
#     is too old).
# Then: generate the Kotlin bindings (bindings/generate.sh), build onsite-server (for the sync
# test), compile generated + test sources, run them; the last line is "kotlin: N passed, N failed".
#   scripts/kotlin-tests.sh                              # every test class
#   scripts/kotlin-tests.sh app.onsite.tests.VisitTest   # some classes
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

KOTLIN_VERSION=2.4.20
tools="$root/.tools/kotlin"
kotlin_home="$tools/node_modules/kotlin-compiler"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="$target_dir/kotlin-tests"

fail() { echo "kotlin-tests: $*" >&2; exit 1; }

apt_install() {
    command -v apt-get >/dev/null || fail "missing $*, and apt-get is not available to install it"
    echo "kotlin-tests: installing $* from Debian" >&2
    apt-get update -qq >&2 || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 || fail "apt-get install $* failed"
}

command -v java >/dev/null && command -v javac >/dev/null || apt_install default-jdk-headless
[[ -f /usr/share/java/jna.jar && -f /usr/share/java/junit4.jar && -f /usr/share/java/hamcrest-core.jar ]] \
    || apt_install libjna-java libjna-jni junit4
if [[ ! -x "$kotlin_home/bin/kotlinc" ]] \
    || ! grep -q "\"version\": \"$KOTLIN_VERSION\"" "$kotlin_home/package.json"; then
    command -v npm >/dev/null || apt_install npm
    echo "kotlin-tests: installing kotlin-compiler@$KOTLIN_VERSION from npm into $tools" >&2
    mkdir -p "$tools"
    npm install --no-audit --no-fund --prefix "$tools" "kotlin-compiler@$KOTLIN_VERSION" >&2 \
        || fail "npm install kotlin-compiler@$KOTLIN_VERSION failed"
fi
[[ -x "$kotlin_home/bin/kotlinc" ]] || fail "no kotlinc at $kotlin_home/bin/kotlinc after installing"

if [[ $# -gt 0 ]]; then classes=("$@"); else classes=(app.onsite.tests.VisitTest app.onsite.tests.SyncTest); fi
lib="$(bindings/generate.sh kotlin | tail -n 1)"
# The sync test runs the real server binary ($ONSITE_SERVER_BIN, built here unless given).
if [[ " ${classes[*]} " == *SyncTest* && -z "${ONSITE_SERVER_BIN:-}" ]]; then
    cargo build --locked -p onsite-server --bin onsite-server >&2
    export ONSITE_SERVER_BIN="$target_dir/debug/onsite-server"
fi

jars="/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar"
jars="$jars:$kotlin_home/lib/kotlin-test.jar:$kotlin_home/lib/kotlin-test-junit.jar"
sources=(bindings/generated/kotlin/uniffi/onsite/onsite.kt bindings/kotlin-tests/src/*.kt)

# Compile only when a source changed (the compiler takes ~30 s on 2 cores).
stamp="$(cat "${sources[@]}" | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$out/classes.stamp" || "$(cat "$out/classes.stamp")" != "$stamp" ]]; then
    rm -rf "$out/classes"
    mkdir -p "$out/classes"
    echo "kotlin-tests: compiling ${#sources[@]} Kotlin files" >&2
    "$kotlin_home/bin/kotlinc" -jvm-target 17 -nowarn -cp "$jars" "${sources[@]}" -d "$out/classes" \
        || fail "kotlinc failed"
    echo "$stamp" > "$out/classes.stamp"
fi

java -Djna.library.path="$(dirname "$lib")" \
    -cp "$out/classes:$jars:$kotlin_home/lib/kotlin-stdlib.jar" \
    app.onsite.tests.RunnerKt "${classes[@]}"
