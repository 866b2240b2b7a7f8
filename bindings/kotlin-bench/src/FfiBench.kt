// The Kotlin side of the FFI benchmark (scripts/kotlin-bench.sh): the calls that
// bindings/benches/ffi_baseline.rs makes directly on the core, made here through the generated
// bindings on the JVM (JNA, release cdylib), on a store seeded the same way (the core's seed,
// through seedDemo), in the same order, with the same warm-up and sample counts. Prints
// figures, asserts nothing about time.
//
// Lines starting with "bench " are read by the script: "bench <call> p50_ns=<n> p99_ns=<n>".
// Scale (the same variables and defaults as the Rust side): ONSITE_FFI_BENCH_WORK_ORDERS
// (default 1000), ONSITE_FFI_BENCH_SAMPLES (default 5000 per call), warm-up calls before the
// samples: ONSITE_FFI_BENCH_READ_WARMUP (default 20000: C2 needs about that many before the
// crossing reaches its steady state; after 2000 a bare call still costs ~4x more) and
// ONSITE_FFI_BENCH_WRITE_WARMUP (default 5000; each one is a commit).
package app.onsite.bench

import java.nio.file.Files
import java.time.Instant
import java.time.ZoneOffset
import app.onsite.core.*
import app.onsite.core.ffi.*

// The same text the Rust side records.
private const val NOTE = "Drain pump replaced, cycle tested"

private fun envOr(name: String, default: Int): Int = System.getenv(name)?.toIntOrNull() ?: default

// Keeps results alive so the JIT cannot drop a call.
@Volatile private var sink: Any? = null

private fun bench(name: String, warmup: Int, samples: Int, f: (Int) -> Any) {
    for (i in 0 until warmup) sink = f(i)
    val ns = LongArray(samples)
    for (s in 0 until samples) {
        val start = System.nanoTime()
        sink = f(warmup + s)
        ns[s] = System.nanoTime() - start
    }
    ns.sort()
    fun at(p: Int) = ns[minOf(ns.size * p / 100, ns.size - 1)]
    println("bench $name p50_ns=${at(50)} p99_ns=${at(99)}")
}

fun main() {
    val workOrders = envOr("ONSITE_FFI_BENCH_WORK_ORDERS", 1000)
    val readWarmup = envOr("ONSITE_FFI_BENCH_READ_WARMUP", 20000)
    val writeWarmup = envOr("ONSITE_FFI_BENCH_WRITE_WARMUP", 5000)
    val samples = maxOf(envOr("ONSITE_FFI_BENCH_SAMPLES", 5000), 1)
    val dir = Files.createTempDirectory("onsite-ffi-bench")
    try {
        OnsiteStore.open(dir.resolve("bench.db").toString()).use { store ->
            val today = Instant.ofEpochMilli(store.nowMs()).atOffset(ZoneOffset.UTC).toLocalDate().toString()
            val started = System.nanoTime()
            val ids = store.seedDemo(DemoSeed(workOrders.toUInt(), 8u, 3u, today, "eng-1", 42uL))
            println(
                "kotlin: seeded ${ids.size} work orders in %.1f s; warm-up $readWarmup per read, $writeWarmup per action; $samples samples per call"
                    .format((System.nanoTime() - started) / 1e9),
            )

            bench("client_id", readWarmup, samples) { store.clientId() }
            bench("job_detail", readWarmup, samples) { i -> store.jobDetail(ids[i % ids.size]) }

            val job = ids[0]
            for (to in listOf(Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE)) store.setStatus(job, to, null)
            bench("add_note", writeWarmup, samples) { store.addNote(job, NOTE) }
        }
    } finally {
        dir.toFile().deleteRecursively()
    }
}
