# Shared by scripts/kotlin-tests.sh and scripts/kotlin-bench.sh (sourced, not run): installs
# the JVM tools when missing and fails loudly if it cannot (never skips), and compiles Kotlin
# sources against the generated bindings.
#   - a JDK (Debian: default-jdk-headless), JNA and JUnit 4 (Debian: libjna-java libjna-jni
#     junit4);
#   - the Kotlin compiler from npm (kotlin-compiler@2.4.20, in .tools/kotlin; Debian's kotlin
#     is too old).
# Expects the caller to have cd'ed to the repository root and to set `kotlin_tag` (the prefix
# of its messages). Sets `kotlin_home`, `jars` (compile classpath) and `target_dir`.

KOTLIN_VERSION=2.4.20
kotlin_tools="$PWD/.tools/kotlin"
kotlin_home="$kotlin_tools/node_modules/kotlin-compiler"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

fail() { echo "$kotlin_tag: $*" >&2; exit 1; }

apt_install() {
    command -v apt-get >/dev/null || fail "missing $*, and apt-get is not available to install it"
    echo "$kotlin_tag: installing $* from Debian" >&2
    apt-get update -qq >&2 || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 || fail "apt-get install $* failed"
}

# Installs a JDK, JNA, JUnit and kotlinc when missing.
kotlin_tools_install() {
    command -v java >/dev/null && command -v javac >/dev/null || apt_install default-jdk-headless
    [[ -f /usr/share/java/jna.jar && -f /usr/share/java/junit4.jar && -f /usr/share/java/hamcrest-core.jar ]] \
        || apt_install libjna-java libjna-jni junit4
    if [[ ! -x "$kotlin_home/bin/kotlinc" ]] \
        || ! grep -q "\"version\": \"$KOTLIN_VERSION\"" "$kotlin_home/package.json"; then
        command -v npm >/dev/null || apt_install npm
        echo "$kotlin_tag: installing kotlin-compiler@$KOTLIN_VERSION from npm into $kotlin_tools" >&2
        mkdir -p "$kotlin_tools"
        npm install --no-audit --no-fund --prefix "$kotlin_tools" "kotlin-compiler@$KOTLIN_VERSION" >&2 \
            || fail "npm install kotlin-compiler@$KOTLIN_VERSION failed"
    fi
    [[ -x "$kotlin_home/bin/kotlinc" ]] || fail "no kotlinc at $kotlin_home/bin/kotlinc after installing"
}

# The generated Kotlin: one file per UniFFI crate (app/onsite/core/onsite_core.kt for the core's
# records, app/onsite/core/ffi/onsite.kt for the objects), in a stable order.
generated_kotlin() {
    find bindings/generated/kotlin -name '*.kt' | sort
}

jars="/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar"
jars="$jars:$kotlin_home/lib/kotlin-test.jar:$kotlin_home/lib/kotlin-test-junit.jar"

# kotlin_compile <classes dir> <source>...: compiles the sources into the directory, only when
# one of them changed since the last compile (the compiler takes ~30 s on 2 cores).
kotlin_compile() {
    local classes="$1"
    shift
    local stamp
    stamp="$(cat "$@" | sha256sum | cut -d' ' -f1)"
    if [[ ! -f "$classes.stamp" || "$(cat "$classes.stamp")" != "$stamp" ]]; then
        rm -rf "$classes"
        mkdir -p "$classes"
        echo "$kotlin_tag: compiling $# Kotlin files" >&2
        "$kotlin_home/bin/kotlinc" -jvm-target 17 -nowarn -cp "$jars" "$@" -d "$classes" \
            || fail "kotlinc failed"
        echo "$stamp" > "$classes.stamp"
    fi
}
