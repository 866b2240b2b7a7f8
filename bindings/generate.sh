#!/usr/bin/env bash
# Builds the onsite-ffi cdylib (debug) and generates its Kotlin and Swift bindings in library
# mode into bindings/generated/{kotlin,swift} (git-ignored; CI generates them).
#
#   bindings/generate.sh            # both languages
#   bindings/generate.sh kotlin     # only Kotlin (what the JVM tests need)
#
# Prints the path of the built library on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

languages=("${@:-kotlin swift}")
# shellcheck disable=SC2206
languages=(${languages[*]})

# Two separate builds: built together, uniffi's `cli` feature (uniffi-bindgen) would be unified
# into the cdylib (see shared/TOOLCHAIN.md).
cargo build --locked -p onsite-ffi
cargo build --locked -p uniffi-bindgen

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
case "$(uname -s)" in
    Darwin) lib="$target_dir/debug/libonsite_ffi.dylib" ;;
    *) lib="$target_dir/debug/libonsite_ffi.so" ;;
esac
[[ -f "$lib" ]] || { echo "generate.sh: $lib was not built" >&2; exit 1; }

for lang in "${languages[@]}"; do
    out="bindings/generated/$lang"
    rm -rf "$out"
    mkdir -p "$out"
    "$target_dir/debug/uniffi-bindgen" generate --library "$lib" --language "$lang" \
        --no-format --out-dir "$out"
    echo "generate.sh: $lang bindings in $out" >&2
done
echo "$lib"
