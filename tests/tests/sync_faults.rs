//! Sync under faults, seeded, many iterations: a device process killed with SIGKILL in the
//! middle of sync rounds, and a server killed in the middle of a push and restarted. After
//! recovery the server holds exactly the device's records: nothing lost, nothing applied twice.
//!
//! `ONSITE_SYNC_KILLS` (default 40) and `ONSITE_SYNC_SEED` (default 7) tune it.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use onsite_core::Store;
use onsite_core::sync::client::SyncClient;
use onsite_core::work_orders::status::{Role, Status};
use onsite_tests::scenario::{dispatch, world};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use tempfile::TempDir;
use uuid::Uuid;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ids(conn: &Connection, sql: &str, job: Uuid) -> BTreeSet<String> {
    conn.prepare(sql)
        .and_then(|mut s| s.query_map([job.to_string()], |r| r.get(0))?.collect())
        .expect("ids")
}

/// The server and the device agree exactly, and nothing was refused (a replayed duplicate
/// would have been refused by the primary key and shown up in the conflict log).
fn assert_converged(server_data: &Path, store: &Store, job: Uuid) {
    assert_eq!(store.pending_sync_count().expect("pending"), 0);
    assert!(
        store.conflicts(true).expect("log").is_empty(),
        "nothing was refused"
    );
    let server = Connection::open(server_data.join("onsite-server.db")).expect("server db");
    let device = Connection::open(store.path()).expect("device db");
    let notes = "SELECT id FROM notes WHERE work_order_id = ?1";
    assert_eq!(ids(&server, notes, job), ids(&device, notes, job));
    let last_seq: i64 = device
        .query_row("SELECT max(seq) FROM outbox", [], |r| r.get(0))
        .expect("max seq");
    let applied: i64 = server
        .query_row(
            "SELECT last_applied_seq FROM clients WHERE client_id = ?1",
            [store.client_id().to_string()],
            |r| r.get(0),
        )
        .expect("client row");
    assert_eq!(applied, last_seq);
    let bodies: Vec<String> = device
        .prepare("SELECT body FROM notes")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("bodies");
    let distinct: BTreeSet<&String> = bodies.iter().collect();
    assert_eq!(
        distinct.len(),
        bodies.len(),
        "no note stored twice on the device"
    );
}

fn on_site_job(url: &str, token: &str, store: &Store, job: Uuid) {
    SyncClient::new(url, token)
        .expect("client")
        .sync_now(store)
        .expect("first sync");
    for to in [Status::Accepted, Status::OnSite] {
        store
            .set_status(job, to, Role::Engineer, None)
            .expect("move");
    }
}

fn last_note(store: &Store) -> u64 {
    store
        .read(|c| {
            Ok(c.query_row(
                "SELECT coalesce(max(CAST(substr(body, 6) AS INTEGER)), -1) FROM notes",
                [],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .map(|n| u64::try_from(n + 1).unwrap_or(0))
        .expect("last note")
}

#[test]
fn a_device_killed_mid_sync_loses_nothing_and_duplicates_nothing() {
    let kills = env_or("ONSITE_SYNC_KILLS", 40);
    let mut rng = ChaCha8Rng::seed_from_u64(env_or("ONSITE_SYNC_SEED", 7));
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-K1", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("a.db");
    let store = Store::open(&path).expect("store");
    on_site_job(&w.server.url, &w.tokens[0], &store, job);
    drop(store);
    for _ in 0..kills {
        let first = last_note(&Store::open(&path).expect("store reopens"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_sync_child"))
            .arg(&path)
            .args([
                w.server.url.as_str(),
                w.tokens[0].as_str(),
                &job.to_string(),
                &first.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("child starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        for _ in 0..rng.random_range(1..4) {
            lines.next().expect("a note before the kill").expect("line");
        }
        std::thread::sleep(Duration::from_micros(rng.random_range(0..20_000)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
    }
    let store = Store::open(&path).expect("store after the last kill");
    let report = SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&store)
        .expect("final sync");
    eprintln!(
        "device kills: {kills}; final round pushed {} ({} duplicates)",
        report.pushed, report.push.duplicates
    );
    assert_converged(&w.dir.path().join("server"), &store, job);
}

#[test]
fn a_server_killed_mid_push_and_restarted_applies_everything_once() {
    let kills = env_or("ONSITE_SYNC_KILLS", 40) / 4;
    let mut rng = ChaCha8Rng::seed_from_u64(env_or("ONSITE_SYNC_SEED", 7) + 1);
    let mut w = world();
    let data = w.dir.path().join("server");
    let job = dispatch(&w.dispatcher, "WO-K2", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let store = Arc::new(Store::open(dir.path().join("a.db")).expect("store"));
    on_site_job(&w.server.url, &w.tokens[0], &store, job);
    let token = w.tokens[0].clone();
    let (mut failed_rounds, mut mid_push) = (0, 0);
    for round in 0..kills {
        for n in 0..400 {
            store
                .add_note(job, format!("note-{round}-{n}"))
                .expect("note");
        }
        let url = w.server.url.clone();
        let (device, token2) = (store.clone(), token.clone());
        let sync = std::thread::spawn(move || {
            SyncClient::new(&url, &token2).and_then(|c| c.sync_now(&device))
        });
        std::thread::sleep(Duration::from_micros(rng.random_range(0..250_000)));
        w.server.kill_and_restart();
        if sync.join().expect("sync thread").is_err() {
            failed_rounds += 1;
            if store.pending_sync_count().expect("pending") > 0 {
                mid_push += 1;
            }
        }
    }
    let report = SyncClient::new(&w.server.url, &token)
        .expect("client")
        .sync_now(&store)
        .expect("final sync");
    eprintln!(
        "server kills: {kills} ({failed_rounds} rounds cut off, {mid_push} with changes not yet acknowledged); final round pushed {} ({} duplicates)",
        report.pushed, report.push.duplicates
    );
    assert_converged(&data, &store, job);
}
