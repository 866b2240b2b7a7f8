#!/usr/bin/env bash
# Builds the onsite-ffi cdylib (debug; release with --release) and generates its Kotlin and
# Swift bindings in library mode into bindings/generated/{kotlin,swift} (git-ignored; CI
# generates them).
#
#   bindings/generate.sh                    # both languages
#   bindings/generate.sh kotlin             # only Kotlin (what the JVM tests need)
#   bindings/generate.sh --release kotlin   # from a release cdylib (the FFI benchmark)
#
# Prints the path of the built library on its last line. The generator itself is always a
# debug build (a release build of it is slow and buys nothing); the bindings it writes are the
# same for either profile of the library.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
if [[ "${1:-}" == --release ]]; then
    profile=release
    shift
fi
languages=("${@:-kotlin swift}")
# shellcheck disable=SC2206
languages=(${languages[*]})

# Two separate builds: built together, uniffi's `cli` feature (uniffi-bindgen) would be unified
# into the cdylib (see shared/TOOLCHAIN.md).
if [[ $profile == release ]]; then
    cargo build --locked --release -p onsite-ffi
else
    cargo build --locked -p onsite-ffi
fi
cargo build --locked -p uniffi-bindgen

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
case "$(uname -s)" in
    Darwin) lib="$target_dir/$profile/libonsite_ffi.dylib" ;;
    *) lib="$target_dir/$profile/libonsite_ffi.so" ;;
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
