#!/usr/bin/env bash
# The FFI benchmark: each call made from Kotlin on the JVM through the generated bindings (JNA,
# release cdylib) beside the same call made directly on the core in Rust, in the same run, on
# stores seeded the same way, with the same warm-up and sample counts. Prints one table: the
# Kotlin and Rust p50/p99 and what the crossing adds per call (the target is under 50 µs).
# Prints figures; asserts nothing about time.
#   scripts/kotlin-bench.sh
# Scale: ONSITE_FFI_BENCH_WORK_ORDERS (default 1000), ONSITE_FFI_BENCH_SAMPLES (default 5000
# per call), ONSITE_FFI_BENCH_READ_WARMUP (default 20000) and ONSITE_FFI_BENCH_WRITE_WARMUP
# (default 5000); both sides read them. The figures are for a JIT-warm JVM: before C2 has
# compiled the crossing (the first few thousand calls) a bare call costs several times more.
# The Rust side alone: cargo bench -p onsite-ffi --bench ffi_baseline
set -euo pipefail
cd "$(dirname "$0")/.."
kotlin_tag=kotlin-bench
# shellcheck source=scripts/kotlin-common.sh
source scripts/kotlin-common.sh
kotlin_tools_install

lib="$(bindings/generate.sh --release kotlin | tail -n 1)"
out="$target_dir/kotlin-bench"
kotlin_compile "$out/classes" $(generated_kotlin) bindings/kotlin-bench/src/*.kt

# The two sides run one after the other, so a round's Kotlin and Rust figures see different
# moments of a shared machine and disk. Several rounds, alternating, and the median of each
# figure over the rounds keep one noisy moment from deciding the table.
rounds="${ONSITE_FFI_BENCH_ROUNDS:-3}"
cargo bench --locked -p onsite-ffi --bench ffi_baseline --no-run >&2
results=""
for round in $(seq 1 "$rounds"); do
    echo "kotlin-bench: round $round of $rounds: Rust, direct core calls (cargo bench -p onsite-ffi --bench ffi_baseline)" >&2
    rust_out="$(cargo bench --locked -p onsite-ffi --bench ffi_baseline 2>/dev/null)"
    echo "kotlin-bench: round $round of $rounds: Kotlin on the JVM through the bindings ($lib)" >&2
    kotlin_out="$(java -Xms256m -Djna.library.path="$(dirname "$lib")" \
        -cp "$out/classes:$jars:$kotlin_home/lib/kotlin-stdlib.jar" app.onsite.bench.FfiBenchKt)"
    [[ $round == 1 ]] && { echo "$rust_out" | grep -v '^bench ' || true; echo "$kotlin_out" | grep -v '^bench ' || true; }
    results+="$(echo "$rust_out" | grep '^bench ' | sed "s/^bench /$round rust /")"$'\n'
    results+="$(echo "$kotlin_out" | grep '^bench ' | sed "s/^bench /$round kotlin /")"$'\n'
done
echo "java: $(java -version 2>&1 | head -n 1); $(nproc) cores; $rounds rounds, median of each figure"
echo
# "<round> <side> <call> p50_ns=<n> p99_ns=<n>" lines → one table in µs.
echo -n "$results" | awk -v rounds="$rounds" '
    function median(side, call, p,    i, j, t, v, k) {
        k = 0
        for (i = 1; i <= rounds; i++) if ((i, side, call, p) in fig) v[++k] = fig[i, side, call, p]
        if (k == 0) { print "kotlin-bench: no " side " figure for " call > "/dev/stderr"; exit 1 }
        for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
    }
    NF == 0 { next }
    {
        round = $1; side = $2; call = $3
        sub("p50_ns=", "", $4); sub("p99_ns=", "", $5)
        fig[round, side, call, 50] = $4 / 1000; fig[round, side, call, 99] = $5 / 1000
        if (side == "kotlin" && !(call in seen)) { seen[call] = 1; calls[++n] = call }
    }
    END {
        printf "| %-10s | %11s | %11s | %9s | %9s | %12s | %12s | %-26s |\n", "call", "Kotlin p50", "Kotlin p99", "Rust p50", "Rust p99", "added p50", "added p99", "added p50, each round"
        print "|------------|-------------|-------------|-----------|-----------|--------------|--------------|----------------------------|"
        for (i = 1; i <= n; i++) {
            c = calls[i]
            kp50 = median("kotlin", c, 50); kp99 = median("kotlin", c, 99)
            rp50 = median("rust", c, 50); rp99 = median("rust", c, 99)
            each = ""
            for (r = 1; r <= rounds; r++) each = each (r > 1 ? " / " : "") sprintf("%.1f", fig[r, "kotlin", c, 50] - fig[r, "rust", c, 50])
            printf "| %-10s | %8.1f µs | %8.1f µs | %6.1f µs | %6.1f µs | %9.1f µs | %9.1f µs | %-26s |\n", c, kp50, kp99, rp50, rp99, kp50 - rp50, kp99 - rp99, each
        }
        conv = median("rust", "job_detail_ffi_in_rust", 50) - median("rust", "job_detail", 50)
        printf "\njob_detail at p50: %.1f µs of the added time is onsite-ffi parsing and record conversion (measured in Rust), %.1f µs the crossing (UniFFI lowering/lifting, JNA)\n", conv, median("kotlin", "job_detail", 50) - median("rust", "job_detail_ffi_in_rust", 50)
        print "target: under 50 µs added per call (figures only; nothing is asserted). add_note commits with synchronous=FULL: its figures follow the disk, and its p99 most."
    }'
