#!/usr/bin/env bash
# Runs every test of the workspace on a fresh Debian machine with Rust, installing what the
# tests need when it is missing. A test must never skip silently because a tool is absent:
# this script installs the tool or fails.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "test-all: cargo is missing (install Rust with rustup)" >&2; exit 1; }

# The crash test SIGKILLs a child process; tune with ONSITE_CRASH_ITERATIONS / ONSITE_CRASH_SEED.
cargo test --workspace --locked

# The real server fuzzed from its own OpenAPI document (installs schemathesis from PyPI into
# .tools/ when missing; fails on any finding).
scripts/schemathesis.sh
# Fuzzing: each cargo-fuzz target briefly from the committed corpus (installs cargo-fuzz when
# missing; stable with RUSTC_BOOTSTRAP=1). The corpus itself is replayed on stable by
# tests/tests/fuzz_corpus.rs in the cargo test above.
FUZZ_SECONDS="${FUZZ_SECONDS:-40}" scripts/fuzz.sh

# The generated Kotlin bindings on a real JVM against the host cdylib, including a sync with the
# real server on loopback (installs a JDK, JNA and JUnit from Debian and kotlinc from npm when
# missing; fails if it cannot).
scripts/kotlin-tests.sh

# The Android shell's plain-Kotlin facade (coroutines, Flow over the sync observer, the
# signature recorder) compiled and tested on the JVM against the same bindings.
ONSITE_FFI_LIB="${CARGO_TARGET_DIR:-$PWD/target}/debug/libonsite_ffi.so" android/jvm-check.sh

# The iOS shell, as far as Linux allows: the Swift bindings generate (both crates), every
# generated method and type the Swift sources use exists, build-xcframework.sh parses.
ios/check-bindings.sh
