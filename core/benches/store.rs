#![allow(missing_docs)] // a benchmark binary, not an API
//! Store benchmark: prints figures, asserts nothing about time.
//!
//! Seeds a store with 10,000 work orders (each with its customer, site and asset, and three
//! earlier completed visits), then measures the engineer's hot paths and, in the same run on
//! the same disk, raw SQLite baselines: a primary-key lookup, and a single-row insert committed
//! with `synchronous=FULL` in WAL mode (no checkpoint in its commits: the bare commit). Every
//! figure is printed beside its baseline and the ratio. The store's WAL checkpoints run on its
//! own background connection, so an action's commit is a bare commit too; the WAL's largest
//! size over the actions is printed to show it stays bounded.
//!
//! Run: `cargo bench -p onsite-core --bench store`
//! Scale: `ONSITE_BENCH_WORK_ORDERS` (default 10000), `ONSITE_BENCH_SAMPLES` (default 2000).

use std::time::{Duration, Instant};

use chrono::Utc;
use onsite_core::Store;
use onsite_core::seed::{SeedPlan, seed};
use onsite_core::visit::work::{Billing, NewPartLine, PartDirection};
use onsite_core::work_orders::status::{Role, Status};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Stats {
    p50: Duration,
    p99: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |p: usize| samples[(samples.len() * p / 100).min(samples.len() - 1)];
    Stats {
        p50: at(50),
        p99: at(99),
    }
}

fn time<T>(f: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    std::hint::black_box(f());
    start.elapsed()
}

fn us(d: Duration) -> String {
    format!("{:8.1} µs", d.as_secs_f64() * 1e6)
}

/// Prints one figure a line: the measurement, its baseline from this run, and the ratio.
fn figures(name: &str, s: &Stats, base_name: &str, b: &Stats) {
    for (p, value, base) in [("p50", s.p50, b.p50), ("p99", s.p99, b.p99)] {
        println!(
            "{:<36} {} | {base_name} {p} {} | ratio {:6.2}x",
            format!("{name} {p}"),
            us(value),
            us(base),
            value.as_secs_f64() / base.as_secs_f64()
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work_orders = env_or("ONSITE_BENCH_WORK_ORDERS", 10_000);
    let samples = env_or("ONSITE_BENCH_SAMPLES", 2_000);
    let dir = tempfile::TempDir::new()?;
    let path = dir.path().join("bench.db");
    let store = Store::open(&path)?;
    let today = Utc::now().date_naive();

    let started = Instant::now();
    let summary = seed(
        &store,
        &SeedPlan {
            work_orders,
            jobs_per_day: 8,
            earlier_visits: 3,
            today,
            assignee: "eng-1".into(),
            seed: 42,
        },
    )?;
    let seeded_in = started.elapsed();
    let db_mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
    let wal_mb =
        std::fs::metadata(dir.path().join("bench.db-wal")).map_or(0.0, |m| m.len() as f64 / 1e6);
    println!(
        "seeded {} work orders, {} customers/sites/assets, {} earlier visits in {:.1} s (store {db_mb:.0} MB, WAL {wal_mb:.1} MB)",
        summary.work_orders,
        summary.customers,
        summary.earlier_visits,
        seeded_in.as_secs_f64()
    );
    println!("samples per figure: {samples}");

    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let ids = &summary.work_order_ids;

    // Raw baseline 1: primary-key lookup of a work order on the same file, prepared statement.
    let raw = Connection::open(&path)?;
    let mut lookup = raw.prepare("SELECT * FROM work_orders WHERE id = ?1")?;
    let raw_lookup = stats(
        (0..samples)
            .map(|_| {
                let id = ids.choose(&mut rng).expect("seeded ids").to_string();
                time(|| lookup.query_row([&id], |r| r.get::<_, String>(1)))
            })
            .collect(),
    );

    let detail = stats(
        (0..samples)
            .map(|_| {
                let id = *ids.choose(&mut rng).expect("seeded ids");
                time(|| store.job_detail(id).expect("detail loads"))
            })
            .collect(),
    );
    let today_list = stats(
        (0..samples)
            .map(|_| time(|| store.todays_jobs(0).expect("list loads")))
            .collect(),
    );
    let listed = store.todays_jobs(0)?.len();

    // Raw baseline 2: a single-row insert committed with synchronous=FULL, WAL, same disk, and
    // no checkpoint in any commit's path (the store checkpoints on a thread of its own): the
    // baseline is the bare commit, never one that also pays for a checkpoint.
    let raw_write = Connection::open(dir.path().join("raw.db"))?;
    raw_write.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE t (id TEXT PRIMARY KEY, work_order_id TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL);",
    )?;
    let mut insert = raw_write.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")?;

    // Actions on one job on site; interleaved with the raw insert so both see the same disk.
    let job = ids[0];
    for to in [Status::Accepted, Status::OnSite] {
        store.set_status(job, to, Role::Engineer, None)?;
    }
    let action_samples = (samples / 4).max(50);
    let wal_bytes = || std::fs::metadata(dir.path().join("bench.db-wal")).map_or(0, |m| m.len());
    let mut largest_wal = 0;
    let (mut raw_insert, mut status, mut part) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..action_samples {
        let id = uuid::Uuid::now_v7().to_string();
        raw_insert.push(time(|| {
            insert.execute((
                &id,
                job.to_string(),
                "Drain pump replaced, cycle tested",
                Utc::now().to_rfc3339(),
            ))
        }));
        let to = if i % 2 == 0 {
            Status::AwaitingParts
        } else {
            Status::OnSite
        };
        status.push(time(|| {
            store
                .set_status(job, to, Role::Engineer, None)
                .expect("legal move")
        }));
        let line = NewPartLine {
            direction: PartDirection::Installed,
            part_number: format!("P-{}", rng.random_range(0..1_000_000)),
            description: "Sump seal kit".into(),
            quantity: 1,
            serial_in: Some("SN1".into()),
            serial_out: None,
            billing: Billing::Chargeable,
            unit_price_cents: 2890,
        };
        part.push(time(|| store.add_part_line(job, line).expect("part line")));
        largest_wal = largest_wal.max(wal_bytes());
    }
    let raw_insert = stats(raw_insert);
    let (status, part) = (stats(status), stats(part));

    println!();
    figures("job detail", &detail, "raw SQLite PK lookup", &raw_lookup);
    figures(
        &format!("today's list ({listed} jobs)"),
        &today_list,
        "raw SQLite PK lookup",
        &raw_lookup,
    );
    figures(
        "action: status change",
        &status,
        "raw insert, FULL commit",
        &raw_insert,
    );
    figures(
        "action: part line",
        &part,
        "raw insert, FULL commit",
        &raw_insert,
    );
    println!(
        "largest WAL over {} actions: {:.1} MB (checkpoints past {} pages, on a background connection)",
        2 * action_samples,
        largest_wal as f64 / 1e6,
        onsite_core::store::checkpoint::CHECKPOINT_PAGES
    );
    println!();
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "target job detail p99 < 1 ms: {} ({})",
        verdict(detail.p99 < Duration::from_millis(1)),
        us(detail.p99).trim()
    );
    for (name, s) in [("status change", &status), ("part line", &part)] {
        for (p, value, base) in [
            ("p50", s.p50, raw_insert.p50),
            ("p99", s.p99, raw_insert.p99),
        ] {
            let ratio = value.as_secs_f64() / base.as_secs_f64();
            println!(
                "target {name} {p} within 2x of a raw FULL commit: {} ({ratio:.2}x)",
                verdict(ratio <= 2.0)
            );
        }
    }
    Ok(())
}
