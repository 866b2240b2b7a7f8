#![allow(missing_docs)] // a benchmark binary, not an API
//! Sync benchmark over loopback HTTP, release mode: prints figures, asserts nothing about time.
//!
//! 1. First sync of an engineer's scope: the server holds 10,000 work orders assigned to them,
//!    each with customer, site, asset and three earlier visits. Rows applied per second on the
//!    device (the whole pull, end to end) beside a raw SQLite bulk insert of as many rows of
//!    the same size in the same run.
//! 2. Server ingest with 8 concurrent clients pushing notes at once, mutations per second,
//!    beside raw single-row FULL commits per second in the same run.
//! 3. Push round trip (one action, then a sync round) p50/p99.
//!
//! Run: `cargo bench -p onsite-tests --bench sync`. Scale: `ONSITE_SYNC_BENCH_WORK_ORDERS`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use onsite_core::seed::{SeedPlan, seed};
use onsite_core::sync::client::SyncClient;
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::{Entity, Store};
use onsite_server::Background;
use onsite_tests::scenario::dispatch;
use onsite_tests::server::Http;
use rusqlite::Connection;
use serde_json::json;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn token(office: &Http, name: &str, role: &str) -> String {
    let user = office.post("/v1/users", json!({ "name": name, "role": role }));
    office.post(
        &format!("/v1/users/{}/tokens", user["id"].as_str().expect("id")),
        json!({}),
    )["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Everything the seed wrote goes into the change log, parents first, as if dispatched.
fn log_everything(server: &Background) {
    let tables = [
        (Entity::Customer, None),
        (Entity::Site, None),
        (Entity::Contract, None),
        (Entity::Asset, None),
        (Entity::WorkOrder, Some("id")),
        (Entity::StatusChange, Some("work_order_id")),
        (Entity::Diagnosis, Some("work_order_id")),
        (Entity::PartLine, Some("work_order_id")),
        (Entity::QuoteDecision, Some("work_order_id")),
        (Entity::ChecklistResult, Some("work_order_id")),
        (Entity::FunctionTest, Some("work_order_id")),
        (Entity::SignOff, Some("work_order_id")),
    ];
    server
        .db
        .store
        .import(|tx, _| {
            for (entity, wo) in tables {
                tx.execute(
                    &format!(
                        "INSERT INTO change_log (entity, row_id, work_order_id) SELECT ?1, id, {} FROM {}",
                        wo.unwrap_or("NULL"),
                        entity.table()
                    ),
                    [entity.as_str()],
                )?;
            }
            Ok(())
        })
        .expect("change log filled");
}

fn percentile(samples: &mut [Duration], p: usize) -> Duration {
    samples.sort();
    samples[(samples.len() * p / 100).min(samples.len() - 1)]
}

fn main() {
    let work_orders = env_or("ONSITE_SYNC_BENCH_WORK_ORDERS", 10_000);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let server = Background::start(&dir.path().join("server")).expect("server starts");
    let admin = server
        .db
        .create_user("admin", onsite_server::db::UserRole::Admin)
        .expect("admin");
    let admin = Http::new(
        &server.url,
        &server.db.issue_token(admin.id).expect("token"),
    );
    let office = Http::new(&server.url, &token(&admin, "dispatch", "dispatcher"));
    let eng = token(&office, "eng-1", "engineer");

    let started = Instant::now();
    seed(
        &server.db.store,
        &SeedPlan {
            work_orders,
            jobs_per_day: 8,
            earlier_visits: 3,
            today: Utc::now().date_naive(),
            assignee: "eng-1".into(),
            seed: 42,
        },
    )
    .expect("server seeded");
    log_everything(&server);
    println!(
        "server seeded with {work_orders} work orders for eng-1 in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // 1. First sync of the whole scope.
    let device = Store::open(dir.path().join("eng-1.db")).expect("device");
    let started = Instant::now();
    let report = SyncClient::new(&server.url, &eng)
        .expect("client")
        .sync_now(&device)
        .expect("first sync");
    let elapsed = started.elapsed();
    let rows = usize::try_from(report.pulled).expect("a row count fits in memory");
    let device_rate = rows as f64 / (report.apply_us as f64 / 1e6);
    let end_to_end = rows as f64 / elapsed.as_secs_f64();
    let raw_rate = raw_bulk_insert(&dir.path().join("raw-bulk.db"), rows);
    println!("first sync: {rows} rows in {:.1} s", elapsed.as_secs_f64());
    println!(
        "first sync rows/s applied on the device    {device_rate:>10.0} | raw SQLite bulk insert rows/s {raw_rate:>10.0} | ratio {:.1}%",
        100.0 * device_rate / raw_rate
    );
    println!(
        "first sync rows/s end to end (HTTP, server) {end_to_end:>10.0} | raw SQLite bulk insert rows/s {raw_rate:>10.0} | ratio {:.1}%",
        100.0 * end_to_end / raw_rate
    );

    // 2. Server ingest: 8 engineers push at once.
    let clients = 8;
    let per_client = env_or("ONSITE_SYNC_BENCH_NOTES", 1_000);
    let mut devices = Vec::new();
    for i in 0..clients {
        let name = format!("eng-push-{i}");
        let token = token(&office, &name, "engineer");
        let job = dispatch(&office, &format!("WO-P{i}"), &name);
        let store = Arc::new(Store::open(dir.path().join(format!("{name}.db"))).expect("device"));
        SyncClient::new(&server.url, &token)
            .expect("client")
            .sync_now(&store)
            .expect("sync");
        for to in [Status::Accepted, Status::OnSite] {
            store
                .set_status(job, to, Role::Engineer, None)
                .expect("move");
        }
        SyncClient::new(&server.url, &token)
            .expect("client")
            .sync_now(&store)
            .expect("sync");
        for n in 0..per_client {
            store.add_note(job, format!("queued {n}")).expect("note");
        }
        devices.push((store, token));
    }
    let started = Instant::now();
    let threads: Vec<_> = devices
        .iter()
        .map(|(store, token)| {
            let (store, token, url) = (store.clone(), token.clone(), server.url.clone());
            std::thread::spawn(move || {
                SyncClient::new(&url, &token)
                    .and_then(|c| c.sync_now(&store))
                    .expect("push")
                    .push
                    .applied
            })
        })
        .collect();
    let applied: u64 = threads.into_iter().map(|t| t.join().expect("thread")).sum();
    let ingest = applied as f64 / started.elapsed().as_secs_f64();
    let raw_commits = raw_full_commits(&dir.path().join("raw-commits.db"), 2_000);
    println!("server ingest, {clients} concurrent clients: {applied} mutations");
    println!(
        "server ingest mutations/s {ingest:>10.0} | raw SQLite FULL single-row commits/s {raw_commits:>10.0} | ratio {:.2}x",
        ingest / raw_commits
    );
    println!(
        "target server ingest >= 5,000/s on SQLite: {}",
        if ingest >= 5_000.0 { "met" } else { "MISSED" }
    );
    println!(
        "target first sync >= 25% of raw bulk insert: {}",
        if device_rate >= raw_rate / 4.0 {
            "met"
        } else {
            "MISSED"
        }
    );

    // 3. Push round trip: one note, then a sync round (push + pull).
    let (store, token) = &devices[0];
    let client = SyncClient::new(&server.url, token).expect("client");
    let job = store.find_work_order("WO-P0").expect("job").id;
    let mut samples: Vec<Duration> = (0..200)
        .map(|n| {
            store
                .add_note(job, format!("round trip {n}"))
                .expect("note");
            let t = Instant::now();
            client.sync_now(store).expect("round");
            t.elapsed()
        })
        .collect();
    let (p50, p99) = (percentile(&mut samples, 50), percentile(&mut samples, 99));
    println!("push round trip p50 {:>8.2} ms", p50.as_secs_f64() * 1e3);
    println!("push round trip p99 {:>8.2} ms", p99.as_secs_f64() * 1e3);
    server.stop();
}

/// Raw SQLite: `rows` rows of ~300 bytes in one transaction, prepared statement, WAL.
fn raw_bulk_insert(path: &std::path::Path, rows: usize) -> f64 {
    let mut conn = Connection::open(path).expect("raw db");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT, b TEXT, c INTEGER)")
        .expect("raw schema");
    let started = Instant::now();
    let tx = conn.transaction().expect("tx");
    {
        let mut insert = tx
            .prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")
            .expect("insert");
        for i in 0..rows {
            insert
                .execute((
                    uuid::Uuid::now_v7().to_string(),
                    "x".repeat(120),
                    "y".repeat(120),
                    i as i64,
                ))
                .expect("row");
        }
    }
    tx.commit().expect("commit");
    rows as f64 / started.elapsed().as_secs_f64()
}

/// Raw SQLite: single-row commits with synchronous=FULL, per second.
fn raw_full_commits(path: &std::path::Path, n: usize) -> f64 {
    let conn = Connection::open(path).expect("raw db");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
        .expect("raw schema");
    let started = Instant::now();
    for i in 0..n {
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2)",
            (uuid::Uuid::now_v7().to_string(), format!("note {i}")),
        )
        .expect("row");
    }
    n as f64 / started.elapsed().as_secs_f64()
}
