//! Crash test of pulling: a child process runs a first sync (pages of 7 entries, so a few
//! dozen pages) and is killed with SIGKILL at seeded random points, mid-page or between pages.
//! Pulled pages commit with `synchronous=NORMAL` (a page and its cursor together), and a first
//! sync into an empty store leaves its secondary indexes out until its last page: after every
//! kill the store must open, pass `PRAGMA integrity_check`, have its indexes, and hold exactly
//! the rows of the pages up to its cursor, as a reference store that applied the same pages
//! one by one holds them. At the end a sync completes and matches the reference.
//!
//! A first sync from the server's snapshot is killed the same way, anywhere in its download
//! or its install: the store is then either still empty at cursor 0 or whole at the snapshot's
//! cursor, never in between, and the next sync completes it.
//!
//! `ONSITE_CRASH_PULL_ITERATIONS` (default 40) and `ONSITE_CRASH_SEED` tune it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use onsite_core::sync::apply;
use onsite_core::sync::wire::PullResponse;
use onsite_core::{Entity, Store};
use onsite_tests::scenario::{dispatch, world, world_with};
use onsite_tests::server::Http;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tempfile::TempDir;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every synced row of the store: (table, id, row stamp).
fn rows_of(store: &Store) -> BTreeSet<(String, String, Option<String>)> {
    store
        .read(|c| {
            let mut all = BTreeSet::new();
            for entity in Entity::synced() {
                let table = entity.table();
                let mut stmt = c.prepare(&format!("SELECT id, row_stamp FROM {table}"))?;
                let rows = stmt.query_map([], |r| Ok((table.to_owned(), r.get(0)?, r.get(1)?)))?;
                for row in rows {
                    all.insert(row?);
                }
            }
            Ok(all)
        })
        .expect("rows read")
}

fn indexes_of(store: &Store) -> Vec<String> {
    store
        .read(|c| {
            Ok(
                c.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name")?
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            )
        })
        .expect("indexes")
}

/// The rows a store holds after each page from cursor 0, applied one by one: cursor -> rows.
fn reference(
    dir: &TempDir,
    engineer: &Http,
) -> BTreeMap<i64, BTreeSet<(String, String, Option<String>)>> {
    let store = Store::open(dir.path().join("reference.db")).expect("reference store");
    let mut after = BTreeMap::new();
    after.insert(0, BTreeSet::new());
    let mut cursor = 0;
    loop {
        let page: PullResponse =
            serde_json::from_value(engineer.get(&format!("/v1/sync/pull?cursor={cursor}")))
                .expect("a pull page");
        store
            .import_pulled(|tx, ctx| apply::apply_pull(tx, ctx, &page))
            .expect("page applies");
        cursor = page.cursor;
        after.insert(cursor, rows_of(&store));
        if !page.more {
            return after;
        }
    }
}

/// Starts the child syncing `path` (from the snapshot if `snapshot`), its stdout piped.
fn pull_child(path: &std::path::Path, url: &str, token: &str, snapshot: bool) -> Child {
    let mut args = vec![path.to_str().expect("utf-8 path"), url, token];
    if snapshot {
        args.push("snapshot");
    }
    Command::new(env!("CARGO_BIN_EXE_pull_child"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("child starts")
}

/// Opens the store after a kill: it opens, passes `integrity_check`, has every index.
fn open_after_kill(path: &std::path::Path, fresh_indexes: &[String], iteration: u64) -> Store {
    let store = Store::open(path).expect("the store opens after the kill");
    let ok: String = store
        .read(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .expect("integrity check");
    assert_eq!(ok, "ok", "iteration {iteration}");
    assert_eq!(indexes_of(&store), fresh_indexes, "iteration {iteration}");
    store
}

fn remove_store(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", ".snapshot"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[test]
fn sigkill_during_a_snapshot_install_leaves_the_store_empty_or_whole() {
    let iterations = env_or("ONSITE_CRASH_PULL_ITERATIONS", 40);
    let mut rng = ChaCha8Rng::seed_from_u64(env_or("ONSITE_CRASH_SEED", 20_261_204));
    let w = world();
    for n in 0..100 {
        dispatch(&w.dispatcher, &format!("WO-S{n}"), "eng-a");
    }
    let dir = TempDir::new().expect("temp dir");
    let engineer = Http::new(&w.server.url, &w.tokens[0]);
    let after = reference(&dir, &engineer);
    let (last_cursor, whole) = after.iter().next_back().expect("pages");
    let fresh_indexes = indexes_of(&Store::open(dir.path().join("never.db")).expect("store"));
    let path = dir.path().join("phone.db");

    // How long a child takes to its first whole round: the kills land anywhere in it.
    let started = Instant::now();
    let mut child = pull_child(&path, &w.server.url, &w.tokens[0], true);
    let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    while !matches!(lines.next(), Some(Ok(line)) if line == "round") {}
    let round = started.elapsed();
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let first = open_after_kill(&path, &fresh_indexes, 0);
    assert_eq!(
        &rows_of(&first),
        whole,
        "a whole round installs the whole scope"
    );
    drop(first);

    let (mut empty, mut installed) = (0, 0);
    for iteration in 0..iterations {
        remove_store(&path);
        let at = round.mul_f64(rng.random_range(0.0..1.2));
        let mut child = pull_child(&path, &w.server.url, &w.tokens[0], true);
        std::thread::sleep(at);
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        if !path.exists() {
            // Killed before it made its store.
            continue;
        }
        let store = open_after_kill(&path, &fresh_indexes, iteration);
        let cursor = store.read(apply::cursor).expect("cursor");
        let rows = rows_of(&store);
        if cursor == 0 {
            assert!(rows.is_empty(), "iteration {iteration}: rows at cursor 0");
            empty += 1;
        } else {
            assert_eq!(
                cursor, *last_cursor,
                "iteration {iteration}: the snapshot's cursor"
            );
            assert_eq!(&rows, whole, "iteration {iteration}: the whole scope");
            installed += 1;
        }
    }
    println!("snapshot kills: {empty} left the store empty, {installed} after the install");
    assert!(
        empty > 0 && installed > 0,
        "kills before and after the install: {empty} empty, {installed} installed"
    );
    let store = Store::open(&path).expect("store");
    onsite_core::sync::client::SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&store)
        .expect("the sync completes");
    assert_eq!(&rows_of(&store), whole);
    assert!(
        !std::path::Path::new(&format!("{}.snapshot", path.display())).exists(),
        "no snapshot file is left once a first sync completed"
    );
}

#[test]
fn sigkill_during_a_first_sync_leaves_the_cursor_and_the_rows_in_agreement() {
    let iterations = env_or("ONSITE_CRASH_PULL_ITERATIONS", 40);
    let mut rng = ChaCha8Rng::seed_from_u64(env_or("ONSITE_CRASH_SEED", 20_261_203));
    let w = world_with(&["--pull-page-size", "7"]);
    for n in 0..40 {
        dispatch(&w.dispatcher, &format!("WO-C{n}"), "eng-a");
    }
    let dir = TempDir::new().expect("temp dir");
    let engineer = Http::new(&w.server.url, &w.tokens[0]);
    let after = reference(&dir, &engineer);
    assert!(
        after.len() > 20,
        "the first sync has many pages: {}",
        after.len()
    );
    let fresh_indexes = indexes_of(&Store::open(dir.path().join("never.db")).expect("store"));

    let path = dir.path().join("phone.db");
    let mut mid_sync = 0;
    for iteration in 0..iterations {
        let wait_for = rng.random_range(0..4u32);
        let extra_delay = Duration::from_micros(rng.random_range(0..4_000));
        let mut child = pull_child(&path, &w.server.url, &w.tokens[0], false);
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        for _ in 0..wait_for {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("pulled") => {}
                // A whole round done: the store is complete; kill it anyway.
                _ => break,
            }
        }
        std::thread::sleep(extra_delay);
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");

        let store = open_after_kill(&path, &fresh_indexes, iteration);
        let cursor = store.read(apply::cursor).expect("cursor");
        let want = after
            .get(&cursor)
            .unwrap_or_else(|| panic!("iteration {iteration}: cursor {cursor} is a page boundary"));
        assert_eq!(
            &rows_of(&store),
            want,
            "iteration {iteration}: rows at cursor {cursor}"
        );
        if cursor != *after.keys().last().expect("pages") {
            mid_sync += 1;
        }
        drop(store);
        if iteration % 8 == 7 {
            // Start over: the next kills land in another first sync.
            remove_store(&path);
        }
    }
    assert!(
        mid_sync > iterations / 4,
        "most kills land mid-sync: {mid_sync}"
    );
    let store = Store::open(&path).expect("store");
    onsite_core::sync::client::SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&store)
        .expect("the sync completes");
    assert_eq!(&rows_of(&store), after.values().last().expect("pages"));
}
