#!/usr/bin/env bash
# Runs each cargo-fuzz target (fuzz/) for FUZZ_SECONDS (default 40) from the committed seeds,
# and fails on the first crash (its input is left in fuzz/artifacts/<target>/). A long run:
# FUZZ_SECONDS=3600 scripts/fuzz.sh. Installs cargo-fuzz when missing.
#
# cargo-fuzz passes -Z flags (the sanitizer). Stable rustc takes them with RUSTC_BOOTSTRAP=1,
# which is what this uses (the default toolchain), so a clean machine with only stable runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-40}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    started=$(date +%s)
    cargo install cargo-fuzz --locked
    echo "fuzz: installed cargo-fuzz in $(( $(date +%s) - started )) s"
fi
export RUSTC_BOOTSTRAP=1
# Its own target dir: the sanitizer flags would otherwise rebuild the workspace's.
export CARGO_TARGET_DIR="$PWD/fuzz/target"
cd fuzz
started=$(date +%s)
cargo metadata --locked --format-version 1 >/dev/null  # the lock file is current
cargo fuzz build
echo "fuzz: built the targets in $(( $(date +%s) - started )) s"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in wire office store_file; do
    mkdir -p "$work/$target"
    # New inputs go to the temp folder; the committed seeds stay as they are.
    if ! cargo fuzz run "$target" "$work/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$work/$target.log" 2>&1; then
        tail -n 60 "$work/$target.log" >&2
        echo "fuzz: $target crashed; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$target.log")
    echo "fuzz: $target ran ${seconds} s: $runs executions, $rate/s, no crash"
done
