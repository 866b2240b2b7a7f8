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

kotlin_tag=jvm-check
# shellcheck source=../scripts/kotlin-common.sh
source scripts/kotlin-common.sh
kotlin_tools_install
out="$target_dir/android-jvm-check"

coroutines="$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
[[ -f "$coroutines" ]] || fail "no kotlinx-coroutines-core-jvm.jar in $kotlin_home/lib"

# ONSITE_FFI_LIB=<built cdylib> reuses bindings that were just generated (e.g. by
# scripts/kotlin-tests.sh in the same CI run) instead of building and generating again.
if [[ -n "${ONSITE_FFI_LIB:-}" ]]; then
    lib="$ONSITE_FFI_LIB"
    [[ -f "$lib" && -f bindings/generated/kotlin/app/onsite/core/ffi/onsite.kt ]] \
        || fail "ONSITE_FFI_LIB=$lib: no such library, or no generated Kotlin bindings"
else
    lib="$(bindings/generate.sh kotlin | tail -n 1)"
fi

jars="$jars:$coroutines"
module=android/onsite-core/src
mapfile -t generated < <(generated_kotlin)
mapfile -t own < <(
    find "$module/main/kotlin" -path '*/facade/*.kt' | sort
    find "$module/jvmTest/kotlin" -name '*.kt' | sort
)
sources=("${generated[@]}" "${own[@]}")
# The facade must stay free of Android: that is what makes it testable here.
if grep -lE '^import (android|androidx)\.' "${own[@]}"; then
    fail "the files above import android/androidx; move that code out of facade/"
fi

kotlin_compile "$out/classes" "${sources[@]}"

classes=(app.onsite.core.facade.OnsiteTest app.onsite.core.facade.SyncFlowTest
    app.onsite.core.facade.StrokeRecorderTest app.onsite.core.facade.LabelsTest
    app.onsite.core.facade.ProblemTest)
java -Djna.library.path="$(dirname "$lib")" \
    -cp "$out/classes:$jars:$kotlin_home/lib/kotlin-stdlib.jar" \
    app.onsite.core.facade.RunnerKt "${classes[@]}"
