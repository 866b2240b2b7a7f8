#![allow(missing_docs)] // a benchmark binary, not an API
//! Sync benchmark over loopback HTTP, release mode: prints figures, asserts nothing about time.
//!
//! 1. First sync of an engineer's scope: the server holds 10,000 work orders assigned to them,
//!    each with customer, site, asset and three earlier visits. Taken from the server's
//!    snapshot (a fresh phone) and page by page (the fallback): rows applied per second on the
//!    device, and end to end, beside a raw SQLite bulk insert of the very same rows in the same
//!    run (the fastest of three; also beside the older baseline of 300-byte rows with
//!    sequential keys); the store's bytes beside the raw bytes of its rows; and where the
//!    time goes (`first_sync`).
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

mod first_sync;
mod raw;

use raw::raw_full_commits;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use flate2::Compression;
use flate2::write::GzEncoder;
use onsite_core::seed::{SeedPlan, seed};
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

    // 1. First sync of the whole scope, both ways.
    let first = first_sync::run(&server, &eng, dir.path());

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
        met(first.device_rate >= 0.4 * first.raw_rate)
    );
    println!(
        "target first sync end to end >= 20% of the raw insert of the same rows: {}",
        met(first.end_to_end >= 0.2 * first.raw_rate)
    );
    println!(
        "target store <= 1.3x the raw bytes of its rows: {}",
        met(first.stored as f64 <= 1.3 * first.raw_bytes as f64)
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
