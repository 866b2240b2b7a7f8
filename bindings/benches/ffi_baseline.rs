#![allow(missing_docs)] // a benchmark binary, not an API
//! The Rust side of the FFI benchmark (`scripts/kotlin-bench.sh`): the calls the Kotlin
//! benchmark (`bindings/kotlin-bench/src/FfiBench.kt`) makes through the bindings, made here
//! directly on the core, on a store seeded the same way, in the same order, with the same
//! warm-up and sample counts. Prints figures, asserts nothing about time.
//!
//! Lines starting with `bench ` are read by the script: `bench <call> p50_ns=<n> p99_ns=<n>`.
//! The calls:
//! - `client_id`: no I/O; the bare cost of a call (the floor of the crossing);
//! - `job_detail`: the job screen of each seeded job in turn (a read);
//! - `add_note`: a note on the first job, on site (a recorded action: one transaction,
//!   committed with `synchronous=FULL`, so its p99 follows the disk).
//!
//! It also times `job_detail` through the `onsite-ffi` method called from Rust (id parsing and
//! record conversion, no crossing), which splits the Kotlin overhead into conversion and
//! crossing.
//!
//! Run: `cargo bench -p onsite-ffi --bench ffi_baseline`
//! Scale: `ONSITE_FFI_BENCH_WORK_ORDERS` (default 1000), `ONSITE_FFI_BENCH_SAMPLES` (default
//! 5000 per call), warm-up calls before the samples: `ONSITE_FFI_BENCH_READ_WARMUP` (default
//! 20000; the JVM's optimising compiler needs about that many before the crossing reaches its
//! steady state) and `ONSITE_FFI_BENCH_WRITE_WARMUP` (default 5000; each one is a commit).

use std::time::Instant;

use onsite_core::Store;
use onsite_core::seed::{SeedPlan, seed};
use onsite_core::work_orders::status::{Role, Status};
use onsite_ffi::OnsiteStore;

/// The same text the Kotlin side records.
const NOTE: &str = "Drain pump replaced, cycle tested";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `f(i)` `warmup` times untimed, then `samples` times timed; prints the call's line.
fn bench<T>(name: &str, warmup: usize, samples: usize, mut f: impl FnMut(usize) -> T) {
    for i in 0..warmup {
        std::hint::black_box(f(i));
    }
    let mut ns: Vec<u128> = (warmup..warmup + samples)
        .map(|i| {
            let start = Instant::now();
            std::hint::black_box(f(i));
            start.elapsed().as_nanos()
        })
        .collect();
    ns.sort_unstable();
    let at = |p: usize| ns[(ns.len() * p / 100).min(ns.len() - 1)];
    println!("bench {name} p50_ns={} p99_ns={}", at(50), at(99));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work_orders = env_or("ONSITE_FFI_BENCH_WORK_ORDERS", 1_000);
    let read_warmup = env_or("ONSITE_FFI_BENCH_READ_WARMUP", 20_000);
    let write_warmup = env_or("ONSITE_FFI_BENCH_WRITE_WARMUP", 5_000);
    let samples = env_or("ONSITE_FFI_BENCH_SAMPLES", 5_000).max(1);
    let dir = tempfile::TempDir::new()?;
    let path = dir.path().join("bench.db");
    let store = Store::open(&path)?;

    // The store shape the Kotlin side seeds with `seedDemo` (the same core seed).
    let started = Instant::now();
    let ids = seed(
        &store,
        &SeedPlan {
            work_orders,
            jobs_per_day: 8,
            earlier_visits: 3,
            today: store.now().date_naive(),
            assignee: "eng-1".into(),
            seed: 42,
        },
    )?
    .work_order_ids;
    println!(
        "rust: seeded {} work orders in {:.1} s; warm-up {read_warmup} per read, {write_warmup} per action; {samples} samples per call",
        ids.len(),
        started.elapsed().as_secs_f64()
    );

    bench("client_id", read_warmup, samples, |_| store.client_id());
    bench("job_detail", read_warmup, samples, |i| {
        store.job_detail(ids[i % ids.len()]).expect("job detail")
    });

    // The same read through the onsite-ffi method, from Rust: parsing and conversion only.
    let ffi = OnsiteStore::open(path.display().to_string())?;
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    bench("job_detail_ffi_in_rust", read_warmup, samples, |i| {
        ffi.job_detail(texts[i % texts.len()].clone())
            .expect("job detail")
    });
    drop(ffi);

    let job = ids[0];
    for to in [Status::Accepted, Status::EnRoute, Status::OnSite] {
        store.set_status(job, to, Role::Engineer, None)?;
    }
    bench("add_note", write_warmup, samples, |_| {
        store.add_note(job, NOTE.to_owned()).expect("note")
    });
    Ok(())
}
