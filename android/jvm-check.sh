#!/usr/bin/env bash
# Compiles the plain-Kotlin part of the Android facade (onsite-core/src/main/kotlin/**/facade)
# with its JVM tests (onsite-core/src/jvmTest) against the generated Kotlin bindings, and runs
# them on the JVM with JNA against the host cdylib. The Android-only code (android.*, Compose,
# the app module) is not compiled here: there is no Android SDK on these machines.
#
# Tools as scripts/kotlin-tests.sh installs them: a JDK, JNA and JUnit 4 from Debian, and the
# Kotlin compiler from npm in .tools/kotlin (its lib/ also ships kotlinx-coroutines-core-jvm,
# which the facade needs). Missing tools are installed, or the script fails; it never skips.
# The last line is "android-facade: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

KOTLIN_VERSION=2.4.20
tools="$root/.tools/kotlin"
kotlin_home="$tools/node_modules/kotlin-compiler"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="$target_dir/android-jvm-check"

fail() { echo "jvm-check: $*" >&2; exit 1; }

apt_install() {
    command -v apt-get >/dev/null || fail "missing $*, and apt-get is not available to install it"
    echo "jvm-check: installing $* from Debian" >&2
    apt-get update -qq >&2 || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 || fail "apt-get install $* failed"
}

command -v java >/dev/null || apt_install default-jdk-headless
[[ -f /usr/share/java/jna.jar && -f /usr/share/java/junit4.jar && -f /usr/share/java/hamcrest-core.jar ]] \
    || apt_install libjna-java libjna-jni junit4
if [[ ! -x "$kotlin_home/bin/kotlinc" ]] \
    || ! grep -q "\"version\": \"$KOTLIN_VERSION\"" "$kotlin_home/package.json"; then
    command -v npm >/dev/null || apt_install npm
    echo "jvm-check: installing kotlin-compiler@$KOTLIN_VERSION from npm into $tools" >&2
    mkdir -p "$tools"
    npm install --no-audit --no-fund --prefix "$tools" "kotlin-compiler@$KOTLIN_VERSION" >&2 \
        || fail "npm install kotlin-compiler@$KOTLIN_VERSION failed"
fi
coroutines="$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
[[ -f "$coroutines" ]] || fail "no kotlinx-coroutines-core-jvm.jar in $kotlin_home/lib"

# ONSITE_FFI_LIB=<built cdylib> reuses bindings that were just generated (e.g. by
# scripts/kotlin-tests.sh in the same CI run) instead of building and generating again.
if [[ -n "${ONSITE_FFI_LIB:-}" ]]; then
    lib="$ONSITE_FFI_LIB"
    [[ -f "$lib" && -f bindings/generated/kotlin/uniffi/onsite/onsite.kt ]] \
        || fail "ONSITE_FFI_LIB=$lib: no such library, or no generated Kotlin bindings"
else
    lib="$(bindings/generate.sh kotlin | tail -n 1)"
fi

jars="/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar"
jars="$jars:$kotlin_home/lib/kotlin-test.jar:$kotlin_home/lib/kotlin-test-junit.jar:$coroutines"
module=android/onsite-core/src
mapfile -t sources < <(
    echo bindings/generated/kotlin/uniffi/onsite/onsite.kt
    find "$module/main/kotlin" -path '*/facade/*.kt' | sort
    find "$module/jvmTest/kotlin" -name '*.kt' | sort
)
# The facade must stay free of Android: that is what makes it testable here.
if grep -lE '^import (android|androidx)\.' "${sources[@]:1}"; then
    fail "the files above import android/androidx; move that code out of facade/"
fi

# Compile only when a source changed (kotlinc takes ~30-60 s on 2 cores).
stamp="$(cat "${sources[@]}" | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$out/classes.stamp" || "$(cat "$out/classes.stamp")" != "$stamp" ]]; then
    rm -rf "$out/classes"
    mkdir -p "$out/classes"
    echo "jvm-check: compiling ${#sources[@]} Kotlin files" >&2
    "$kotlin_home/bin/kotlinc" -jvm-target 17 -nowarn -cp "$jars" "${sources[@]}" -d "$out/classes" \
        || fail "kotlinc failed"
    echo "$stamp" > "$out/classes.stamp"
fi

classes=(app.onsite.core.facade.OnsiteTest app.onsite.core.facade.SyncFlowTest
    app.onsite.core.facade.StrokeRecorderTest app.onsite.core.facade.LabelsTest
    app.onsite.core.facade.ProblemTest)
java -Djna.library.path="$(dirname "$lib")" \
    -cp "$out/classes:$jars:$kotlin_home/lib/kotlin-stdlib.jar" \
    app.onsite.core.facade.RunnerKt "${classes[@]}"
