//! The fuzz corpus on stable, on every test run: each committed seed under `fuzz/corpus/<target>/`
//! (and each input a fuzz run once crashed on, kept there as a seed) goes through the same
//! harness function the cargo-fuzz target calls (`fuzz/src/harness.rs`, included here), so a
//! seed that panics fails `cargo test` without nightly or cargo-fuzz.
//!
//! The store-file seeds are made by `write_store_seeds` (ignored; run it with
//! `cargo test -p onsite-tests --test fuzz_corpus -- --ignored` after a schema change).

#[allow(dead_code, reason = "shared with the fuzz crate, which uses all of it")]
#[path = "../../fuzz/src/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use onsite_core::Store;
use onsite_core::clock::ManualClock;
use onsite_core::seed::{self, SeedPlan};
use rusqlite::Connection;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

/// Feeds every seed of `target` to `harness`; returns how many there were.
fn replay(target: &str, harness: fn(&[u8])) -> usize {
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(corpus(target))
        .expect("the corpus folder is there")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
        })
        .collect();
    seeds.sort();
    for seed in &seeds {
        let bytes = std::fs::read(seed).expect("the seed reads");
        let outcome = std::panic::catch_unwind(|| harness(&bytes));
        assert!(
            outcome.is_ok(),
            "{} panicked in the {target} harness",
            seed.display()
        );
    }
    seeds.len()
}

#[test]
fn every_wire_seed_decodes_and_replays_without_a_defect() {
    let n = replay("wire", harness::wire);
    assert!(n >= 50, "the wire corpus has every snapshot: {n}");
}

#[test]
fn every_office_seed_goes_through_the_core_without_a_defect() {
    let n = replay("office", harness::office);
    assert!(n >= 10, "{n}");
}

#[test]
fn every_damaged_store_seed_opens_or_is_refused_without_a_panic() {
    let n = replay("store_file", harness::store_file);
    assert!(n >= 5, "{n}");
}

/// A store file made small: rollback journal (no WAL beside it), 512-byte pages, vacuumed.
fn shrink(path: &Path) -> Vec<u8> {
    let conn = Connection::open(path).expect("opens");
    conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA page_size = 512; VACUUM;")
        .expect("shrinks");
    drop(conn);
    std::fs::read(path).expect("reads")
}

/// Writes the store-file seeds: an empty store, a store with a day of jobs, a v1 store (the
/// upgrade ladder), someone else's database, and files that are not databases at all.
#[test]
#[ignore = "writes the committed seeds; run after a schema change"]
fn write_store_seeds() {
    let out = corpus("store_file");
    let dir = tempfile::tempdir().expect("temp dir");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 9, 30, 0)
        .single()
        .expect("a time");
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(out.join(format!("seed-{name}")), bytes).expect("the seed is written");
    };
    let empty = dir.path().join("empty.db");
    drop(Store::open_with_clock(&empty, Arc::new(ManualClock::new(now))).expect("a store"));
    write("empty-store.db", &shrink(&empty));

    let jobs = dir.path().join("jobs.db");
    let store = Store::open_with_clock(&jobs, Arc::new(ManualClock::new(now))).expect("a store");
    let plan = SeedPlan {
        work_orders: 2,
        jobs_per_day: 2,
        earlier_visits: 1,
        today: now.date_naive(),
        assignee: "eng-a".into(),
        seed: 9,
    };
    seed::seed(&store, &plan).expect("seeded");
    drop(store);
    write("two-jobs.db", &shrink(&jobs));

    let v1 = dir.path().join("v1.db");
    let conn = Connection::open(&v1).expect("v1 file");
    conn.execute_batch(include_str!("../../core/src/store/sql/frozen_v1.sql"))
        .expect("frozen v1 schema");
    conn.execute_batch(
        "INSERT INTO device (id, client_id, created_at, next_outbox_seq)
           VALUES (1, '0196a1e2-0000-7000-8000-000000000001', '2025-01-01T00:00:00.000Z', 4);
         INSERT INTO customers (id, name) VALUES ('0196a1e2-0000-7000-8000-0000000000c1', 'Anna');
         PRAGMA user_version = 1;",
    )
    .expect("v1 rows");
    drop(conn);
    write("v1-store.db", &shrink(&v1));

    let other = dir.path().join("other.db");
    Connection::open(&other)
        .and_then(|c| {
            c.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');")
        })
        .expect("someone else's database");
    write("other-database.db", &shrink(&other));
    write(
        "not-a-database.txt",
        b"Onsite store? No: a shopping list.\n",
    );
    write("empty-file", b"");
}
