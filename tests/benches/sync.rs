#![allow(missing_docs)] // a benchmark binary, not an API
//! Sync benchmark over loopback HTTP, release mode: prints figures, asserts nothing about time.
//!
//! 1. First sync of an engineer's scope: the server holds 10,000 work orders assigned to them,
//!    each with customer, site, asset and three earlier visits. Rows applied per second on the
//!    device, and end to end, beside a raw SQLite bulk insert of the very same rows in the same
//!    run (the fastest of three; also beside the older baseline of 300-byte rows with
//!    sequential keys); the store's bytes beside the raw bytes of its rows; and where the
//!    time goes (the server's pull stages in-process, encode, gzip, decode, apply).
//! 2. Server ingest with 8 concurrent clients pushing notes at once, mutations per second,
//!    beside raw single-row FULL commits per second in the same run: once in pushes of 500 (a
//!    phone back online with a backlog), once in pushes of 10 (phones syncing every few
//!    actions, where the commit per push is what group commit shares). Push bodies are made
//!    and compressed before the clock starts; the commits the server made are printed too.
//! 3. Push round trip (one action, then a sync round) p50/p99.
//!
//! Full size: `cargo bench -p onsite-tests --bench sync` (10,000 work orders, 1,000 notes per
//! client, 200 round trips). CI runs it with `CI=true`: 1,000, 250 and 50. Scale each with
//! `ONSITE_SYNC_BENCH_WORK_ORDERS`, `ONSITE_SYNC_BENCH_NOTES`, `ONSITE_SYNC_BENCH_ROUND_TRIPS`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use flate2::Compression;
use flate2::write::GzEncoder;
use onsite_core::seed::{SeedPlan, seed};
use onsite_core::store::packed;
use onsite_core::sync::apply;
use onsite_core::sync::client::SyncClient;
use onsite_core::sync::wire::{
    MAX_PUSH_BATCH, Mutation, Outcome, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest, PushResponse,
};
use onsite_core::visit::findings;
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::{Entity, Store};
use onsite_server::Background;
use onsite_tests::scenario::dispatch;
use onsite_tests::server::Http;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde_json::json;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Running in CI (`CI=true`): the reduced size.
fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// `name` from the environment, else the full size, or the CI size under `CI=true`.
fn sized(name: &str, full: usize, in_ci: usize) -> usize {
    env_or(name, if ci() { in_ci } else { full })
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
    let work_orders = sized("ONSITE_SYNC_BENCH_WORK_ORDERS", 10_000, 1_000);
    if ci() {
        println!("CI=true: reduced size (run without CI=true for the full size)");
    }
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
    let synthetic_rate = raw_bulk_insert(&dir.path().join("raw-bulk.db"), rows);
    // The fastest of three: the machine is shared, and a baseline slowed by a neighbour would
    // flatter the ratio.
    let (same_rows, raw_rate) = (0..3)
        .map(|n| raw_bulk_insert_same_rows(&device, &dir.path().join(format!("raw-same-{n}.db"))))
        .fold(
            (0, 0.0f64),
            |best, run| if run.1 > best.1 { run } else { best },
        );
    assert_eq!(same_rows, rows, "the raw insert writes every pulled row");
    println!("first sync: {rows} rows in {:.1} s", elapsed.as_secs_f64());
    println!(
        "first sync rows/s applied on the device    {device_rate:>10.0} | raw SQLite bulk insert of the same rows rows/s {raw_rate:>10.0} | ratio {:.1}%",
        100.0 * device_rate / raw_rate
    );
    println!(
        "first sync rows/s end to end (HTTP, server) {end_to_end:>10.0} | raw SQLite bulk insert of the same rows rows/s {raw_rate:>10.0} | ratio {:.1}%",
        100.0 * end_to_end / raw_rate
    );
    println!(
        "first sync rows/s applied on the device    {device_rate:>10.0} | raw SQLite bulk insert of 300-byte rows (sequential keys) rows/s {synthetic_rate:>10.0} | ratio {:.1}%",
        100.0 * device_rate / synthetic_rate
    );
    let (values, stamps) = raw_row_bytes(&device);
    let stored = stored_bytes(&device);
    println!(
        "store after first sync bytes {stored:>12} | raw bytes of the rows {:>12} (values {values}, row stamps {stamps}) | ratio {:.2}x",
        values + stamps,
        stored as f64 / (values + stamps) as f64
    );
    first_sync_breakdown(
        &server,
        &eng,
        elapsed,
        Duration::from_micros(report.apply_us),
    );

    // 2. Server ingest: 8 engineers push at once, every body encoded before the clock starts,
    //    so what is timed is the server (and loopback HTTP).
    let clients = 8;
    let per_client = sized("ONSITE_SYNC_BENCH_NOTES", 1_000, 250);
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
        devices.push((store, token, job));
    }
    let raw_commits = raw_full_commits(&dir.path().join("raw-commits.db"), 2_000);
    for batch in [MAX_PUSH_BATCH, 10] {
        let commits_before = server.db.pushes.commits();
        let bodies: Vec<Vec<Vec<u8>>> = devices
            .iter()
            .map(|(store, _, job)| queue_notes(store, *job, per_client, batch))
            .collect();
        let started = Instant::now();
        let threads: Vec<_> = devices
            .iter()
            .zip(bodies)
            .map(|((_, token, _), bodies)| {
                let (token, url) = (token.clone(), server.url.clone());
                std::thread::spawn(move || push_all(&url, &token, bodies))
            })
            .collect();
        let applied: usize = threads.into_iter().map(|t| t.join().expect("thread")).sum();
        let ingest = applied as f64 / started.elapsed().as_secs_f64();
        assert_eq!(applied, clients * per_client, "every mutation applied");
        let commits = server.db.pushes.commits() - commits_before;
        println!(
            "server ingest, {clients} concurrent clients, pushes of {batch}: {applied} mutations, {} pushes, {commits} commits",
            clients * per_client.div_ceil(batch)
        );
        println!(
            "server ingest (pushes of {batch:>3}) mutations/s {ingest:>10.0} | raw SQLite FULL single-row commits/s {raw_commits:>10.0} | ratio {:.2}x",
            ingest / raw_commits
        );
        let ok = ingest >= 10_000.0 && ingest >= 2.0 * raw_commits;
        println!(
            "target server ingest (pushes of {batch}) >= 10,000/s and >= 2x raw FULL commits: {}",
            if ok { "met" } else { "MISSED" }
        );
    }
    let met = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "target first sync applied >= 40% of the raw insert of the same rows: {}",
        met(device_rate >= 0.4 * raw_rate)
    );
    println!(
        "target first sync end to end >= 20% of the raw insert of the same rows: {}",
        met(end_to_end >= 0.2 * raw_rate)
    );
    println!(
        "target store <= 1.3x the raw bytes of its rows: {}",
        met(stored as f64 <= 1.3 * (values + stamps) as f64)
    );

    // 3. Push round trip: one note, then a sync round (push + pull).
    let (store, token, _) = &devices[0];
    let client = SyncClient::new(&server.url, token).expect("client");
    let job = store.find_work_order("WO-P0").expect("job").id;
    let mut samples: Vec<Duration> = (0..sized("ONSITE_SYNC_BENCH_ROUND_TRIPS", 200, 50))
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

/// Where a first sync's time goes: the server's pull code run again in-process page by page
/// over the same change log (scope query, row reads, parent checks, stamps), then each page
/// JSON-encoded and gzipped as the server answers it, inflated and decoded as the client does.
/// Printed beside the end-to-end time of the real sync and its device apply; what is left is
/// HTTP on loopback, and whatever the real sync overlapped (its prefetch).
fn first_sync_breakdown(server: &Background, token: &str, total: Duration, apply: Duration) {
    use std::io::Read;
    let caller = server
        .db
        .authenticate(token)
        .expect("token readable")
        .expect("engineer's token");
    let (mut scope, mut rows, mut stamps, mut offered, mut server_total) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let (mut encode, mut gzip, mut gunzip, mut decode) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let (mut json_bytes, mut gz_bytes, mut pages) = (0usize, 0usize, 0usize);
    let mut cursor = 0;
    loop {
        let t = Instant::now();
        let (page, timings) =
            onsite_server::sync::pull_profiled(&server.db, &caller, cursor).expect("page");
        server_total += t.elapsed();
        scope += timings.scope;
        rows += timings.rows - timings.stamps - timings.offered;
        stamps += timings.stamps;
        offered += timings.offered;
        let t = Instant::now();
        let json = serde_json::to_vec(&page).expect("encode");
        encode += t.elapsed();
        let t = Instant::now();
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        std::io::Write::write_all(&mut gz, &json).expect("compress");
        let compressed = gz.finish().expect("compress");
        gzip += t.elapsed();
        let t = Instant::now();
        let mut inflated = Vec::with_capacity(json.len());
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut inflated)
            .expect("inflate");
        gunzip += t.elapsed();
        let t = Instant::now();
        let decoded: onsite_core::sync::wire::PullResponse =
            serde_json::from_slice(&inflated).expect("decode");
        decode += t.elapsed();
        (json_bytes, gz_bytes, pages) = (
            json_bytes + json.len(),
            gz_bytes + compressed.len(),
            pages + 1,
        );
        if !decoded.more {
            break;
        }
        cursor = decoded.cursor;
    }
    let other_server = server_total.saturating_sub(scope + rows + stamps + offered);
    let parts = [
        ("server: change-log scan + scope query", scope),
        ("server: row reads (parents included)", rows),
        ("server: parent offered-checks", offered),
        ("server: stamp reads", stamps),
        ("server: rest of the page (transaction)", other_server),
        ("server: JSON encode", encode),
        ("server: gzip (fast)", gzip),
        ("client: gunzip", gunzip),
        ("client: JSON decode", decode),
        ("device: apply (the real sync's apply_us)", apply),
    ];
    let sum: Duration = parts.iter().map(|(_, d)| *d).sum();
    println!(
        "first sync breakdown ({pages} pages, {:.1} MB JSON, {:.1} MB gzip), share of the end-to-end {:.2} s:",
        json_bytes as f64 / 1e6,
        gz_bytes as f64 / 1e6,
        total.as_secs_f64()
    );
    for (what, d) in parts {
        println!(
            "  {what:<44} {:>7.2} s {:>5.1}%",
            d.as_secs_f64(),
            100.0 * d.as_secs_f64() / total.as_secs_f64()
        );
    }
    let rest = total.as_secs_f64() - sum.as_secs_f64();
    println!(
        "  {:<44} {:>7.2} s {:>5.1}%",
        "rest: HTTP on loopback, minus what overlapped",
        rest,
        100.0 * rest / total.as_secs_f64()
    );
    println!(
        "first sync without the device apply (server, transport, decode) {:.2} s",
        total.saturating_sub(apply).as_secs_f64()
    );
    // The same pages over loopback HTTP as the client asks for them, nothing applied.
    let http = reqwest::blocking::Client::new();
    let (started, mut cursor) = (Instant::now(), 0);
    loop {
        let page: onsite_core::sync::wire::PullResponse = http
            .get(format!("{}/v1/sync/pull?cursor={cursor}", server.url))
            .bearer_auth(token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .send()
            .expect("pull sent")
            .json()
            .expect("pull page");
        if !page.more {
            break;
        }
        cursor = page.cursor;
    }
    let fetched = started.elapsed();
    let in_process = sum.saturating_sub(apply);
    println!(
        "first sync pages over HTTP, decoded, not applied {:.2} s | the same stages in-process {:.2} s | HTTP adds {:.2} s",
        fetched.as_secs_f64(),
        in_process.as_secs_f64(),
        fetched.as_secs_f64() - in_process.as_secs_f64()
    );
}

/// Queues `n` notes on `job` (one transaction: only what is pushed is timed) and returns the
/// push bodies for them, `batch` mutations each, as the sync client sends them (gzip JSON).
fn queue_notes(store: &Store, job: uuid::Uuid, n: usize, batch: usize) -> Vec<Vec<u8>> {
    let before: i64 = store
        .read(|c| Ok(c.query_row("SELECT coalesce(max(seq), 0) FROM outbox", [], |r| r.get(0))?))
        .expect("outbox");
    store
        .act(|tx, ctx| {
            for k in 0..n {
                findings::add_note(tx, ctx, job, format!("queued {k}"))?;
            }
            Ok(())
        })
        .expect("notes queued");
    let limit = u32::try_from(store.pending_sync_count().expect("count")).expect("fits");
    let mutations: Vec<Mutation> = store
        .read(|c| apply::pending_mutations(c, limit))
        .expect("outbox")
        .into_iter()
        .filter(|m| m.seq > before)
        .collect();
    assert_eq!(mutations.len(), n);
    mutations
        .chunks(batch)
        .map(|chunk| {
            let req = PushRequest {
                client_id: store.client_id(),
                mutations: chunk.to_vec(),
            };
            let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
            serde_json::to_writer(&mut gz, &req).expect("encode");
            gz.finish().expect("compress")
        })
        .collect()
}

/// Sends `bodies` in order as one device would; returns the mutations applied.
fn push_all(url: &str, token: &str, bodies: Vec<Vec<u8>>) -> usize {
    let http = reqwest::blocking::Client::new();
    let mut applied = 0;
    for body in bodies {
        let resp = http
            .post(format!("{url}/v1/sync/push"))
            .bearer_auth(token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_ENCODING, "gzip")
            .body(body)
            .send()
            .expect("push sent");
        assert_eq!(resp.status(), 200, "push answered");
        let answer: PushResponse = resp.json().expect("push answer");
        applied += answer
            .results
            .iter()
            .filter(|o| matches!(o, Outcome::Applied { .. }))
            .count();
    }
    applied
}

/// The bytes of every synced row's values as SQLite holds them raw (text and blob lengths,
/// packed columns at their unpacked length, 8 per number), and of their row stamps.
fn raw_row_bytes(store: &Store) -> (u64, u64) {
    store
        .read(|conn| {
            let (mut values, mut stamps) = (0u64, 0u64);
            for entity in Entity::synced() {
                let mut stmt = conn.prepare(&format!("SELECT * FROM {}", entity.table()))?;
                let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    for (i, name) in names.iter().enumerate() {
                        let size = match row.get_ref(i)? {
                            ValueRef::Null => 0,
                            ValueRef::Integer(_) | ValueRef::Real(_) => 8,
                            ValueRef::Text(t) => t.len(),
                            ValueRef::Blob(b) if packed::is_packed(entity, name) => {
                                packed::unpack("bench", b)?.len()
                            }
                            ValueRef::Blob(b) => b.len(),
                        } as u64;
                        if name == "row_stamp" {
                            stamps += size;
                        } else {
                            values += size;
                        }
                    }
                }
            }
            Ok((values, stamps))
        })
        .expect("rows measured")
}

/// Raw SQLite, the same rows: every row the first sync stored (packed columns as the text that
/// was pulled, the row stamp as one more column), read back into memory, then inserted into
/// tables of the same columns with a text primary key and nothing else (no foreign keys, no
/// other index, no merge), parents first, in one transaction with prepared statements, WAL,
/// synchronous=FULL. Returns the rows and rows per second.
fn raw_bulk_insert_same_rows(store: &Store, path: &std::path::Path) -> (usize, f64) {
    use rusqlite::types::Value as SqlValue;
    let tables: Vec<(Entity, Vec<String>, Vec<Vec<SqlValue>>)> = store
        .read(|conn| {
            let mut tables = Vec::new();
            for entity in Entity::synced() {
                let mut stmt = conn.prepare(&format!("SELECT * FROM {}", entity.table()))?;
                let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
                let mut rows = Vec::new();
                let mut cursor = stmt.query([])?;
                while let Some(row) = cursor.next()? {
                    let mut values = Vec::with_capacity(names.len());
                    for (i, name) in names.iter().enumerate() {
                        values.push(match row.get::<_, SqlValue>(i)? {
                            SqlValue::Blob(b) if packed::is_packed(entity, name) => {
                                SqlValue::Text(packed::unpack("bench", &b)?)
                            }
                            v => v,
                        });
                    }
                    rows.push(values);
                }
                tables.push((entity, names, rows));
            }
            Ok(tables)
        })
        .expect("rows read");
    let mut conn = Connection::open(path).expect("raw db");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .expect("raw pragmas");
    for (entity, names, _) in &tables {
        let cols: Vec<String> = names
            .iter()
            .map(|n| {
                if n == "id" {
                    "id TEXT PRIMARY KEY".to_owned()
                } else {
                    n.clone()
                }
            })
            .collect();
        conn.execute_batch(&format!(
            "CREATE TABLE {} ({})",
            entity.table(),
            cols.join(", ")
        ))
        .expect("raw table");
    }
    let started = Instant::now();
    let tx = conn.transaction().expect("tx");
    let mut count = 0;
    for (entity, names, rows) in &tables {
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let mut insert = tx
            .prepare(&format!(
                "INSERT INTO {} VALUES ({})",
                entity.table(),
                placeholders.join(", ")
            ))
            .expect("insert");
        for row in rows {
            insert
                .execute(rusqlite::params_from_iter(row))
                .expect("row");
            count += 1;
        }
    }
    tx.commit().expect("commit");
    (count, count as f64 / started.elapsed().as_secs_f64())
}

/// The store's file after its WAL is folded in: pages in use and free.
fn stored_bytes(store: &Store) -> u64 {
    let conn = Connection::open(store.path()).expect("store file");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    std::fs::metadata(store.path()).expect("store file").len()
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

/// Raw SQLite: single-row commits with synchronous=FULL, WAL, per second.
fn raw_full_commits(path: &std::path::Path, n: usize) -> f64 {
    let conn = Connection::open(path).expect("raw db");
    // No checkpoint in the commits' path (as on the server): the baseline is the bare commit.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
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
