//! Crash test: a child process records actions and is killed with SIGKILL at seeded random
//! points. After every kill the store must open, pass `PRAGMA integrity_check`, hold every
//! action the child reported as returned together with its outbox entry, and number its outbox
//! 1, 2, 3, ... with no gap and no repeat.
//!
//! `ONSITE_CRASH_ITERATIONS` (default 300) and `ONSITE_CRASH_SEED` (default 20261123) tune it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use tempfile::TempDir;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn sigkill_at_random_points_loses_and_duplicates_nothing() {
    let iterations = env_or("ONSITE_CRASH_ITERATIONS", 300);
    let seed = env_or("ONSITE_CRASH_SEED", 20_261_123);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("crash.db");
    let job = onsite_tests::store_with_job_on_site(&path).expect("store prepared");

    // Every action any child reported as returned: n -> (table, row id).
    let mut reported: BTreeMap<u64, (String, String)> = BTreeMap::new();
    let mut next = 0u64;
    let mut committed_unreported = 0;
    for iteration in 0..iterations {
        let wait_for = rng.random_range(1..40u32);
        let extra_delay = Duration::from_micros(rng.random_range(0..3_000));
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash_child"))
            .args([
                path.to_str().expect("utf-8 temp path"),
                &job.to_string(),
                &next.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("child starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        for _ in 0..wait_for {
            let line = lines
                .next()
                .expect("child reports before it is killed")
                .expect("utf-8 line");
            record(&mut reported, &line);
        }
        // The kill point: somewhere inside a later action (commit, fsync, or between them).
        std::thread::sleep(extra_delay);
        child.kill().expect("SIGKILL delivered");
        let status = child.wait().expect("child reaped");
        assert!(!status.success(), "the child was killed, not finished");
        // Lines written before the kill are still in the pipe: those actions returned too.
        for line in lines {
            record(&mut reported, &line.expect("utf-8 line"));
        }
        let last_reported = *reported.keys().next_back().expect("some actions reported");
        check_store(&path, &reported, iteration);
        // Like the app after a restart, the next child resumes from what the store holds: an
        // action that committed but died before it could report is not done twice.
        let last_stored = last_action_in_store(&path);
        assert!(
            last_stored >= last_reported && last_stored <= last_reported + 1,
            "at most the one in-flight action committed unreported"
        );
        if last_stored > last_reported {
            committed_unreported += 1;
        }
        next = last_stored + 1;
    }
    eprintln!(
        "crash test: {iterations} SIGKILLs (seed {seed}), {} actions reported as returned, {committed_unreported} kills between a commit and its report",
        reported.len()
    );
    // The store still works after all those kills.
    let store = onsite_core::Store::open(&path).expect("store opens after the last kill");
    onsite_tests::numbered_action(&store, job, next).expect("an action after recovery");
}

fn record(reported: &mut BTreeMap<u64, (String, String)>, line: &str) {
    let mut parts = line.split(' ');
    let (Some(n), Some(table), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("malformed child line {line:?}");
    };
    let n: u64 = n.parse().expect("action number");
    let previous = reported.insert(n, (table.to_owned(), id.to_owned()));
    assert!(previous.is_none(), "action {n} reported twice");
}

fn check_store(path: &std::path::Path, reported: &BTreeMap<u64, (String, String)>, iteration: u64) {
    let conn = Connection::open(path).expect("store file opens");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check runs");
    assert_eq!(integrity, "ok", "iteration {iteration}");
    let seqs: Vec<i64> = column(&conn, "SELECT seq FROM outbox ORDER BY seq");
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "outbox contiguous at iteration {iteration}"
    );
    let next_seq: i64 = conn
        .query_row("SELECT next_outbox_seq FROM device", [], |r| r.get(0))
        .expect("device row");
    assert_eq!(
        next_seq,
        seqs.len() as i64 + 1,
        "the counter matches the outbox"
    );

    // How many outbox entries carry each row: its own, or (a status change) the transition's.
    let mut queued: HashMap<String, usize> = HashMap::new();
    for id in column::<String>(
        &conn,
        "SELECT row_id FROM outbox WHERE op <> 'transition'
         UNION ALL SELECT json_extract(payload, '$.status_change_id') FROM outbox WHERE op = 'transition'",
    ) {
        *queued.entry(id).or_default() += 1;
    }
    let stamped: HashSet<String> = column::<String>(
        &conn,
        "SELECT id FROM notes WHERE row_stamp IS NOT NULL UNION ALL SELECT id FROM part_lines WHERE row_stamp IS NOT NULL
         UNION ALL SELECT id FROM measurements WHERE row_stamp IS NOT NULL UNION ALL SELECT id FROM status_changes WHERE row_stamp IS NOT NULL",
    )
    .into_iter()
    .collect();
    let mut stored: HashMap<&str, HashSet<String>> = HashMap::new();
    for table in ["notes", "part_lines", "measurements", "status_changes"] {
        stored.insert(
            table,
            column(&conn, &format!("SELECT id FROM {table}"))
                .into_iter()
                .collect(),
        );
    }
    for (n, (table, id)) in reported {
        let present = stored
            .get(table.as_str())
            .is_some_and(|ids| ids.contains(id));
        assert!(
            present,
            "action {n} ({table} {id}) lost at iteration {iteration}"
        );
        assert_eq!(
            queued.get(id),
            Some(&1),
            "action {n} ({table}) queued once at iteration {iteration}"
        );
        assert!(
            stamped.contains(id),
            "action {n} ({table}) stamped at iteration {iteration}"
        );
    }
    // Every stored row, reported or not, is queued exactly once and stamped.
    for id in stored.values().flatten() {
        assert_eq!(
            queued.get(id),
            Some(&1),
            "row {id} queued once at iteration {iteration}"
        );
        assert!(
            stamped.contains(id),
            "row {id} stamped at iteration {iteration}"
        );
    }
    let duplicates: i64 = conn
        .query_row(
            &format!("SELECT count(*) - count(DISTINCT n) FROM ({ACTION_NUMBERS})"),
            [],
            |r| r.get(0),
        )
        .expect("duplicate check");
    assert_eq!(
        duplicates, 0,
        "an action stored twice at iteration {iteration}"
    );
}

fn column<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str) -> Vec<T> {
    conn.prepare(sql)
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("query runs")
}

/// The action number of every action row in the store.
const ACTION_NUMBERS: &str = "SELECT CAST(substr(body, 8) AS INTEGER) AS n FROM notes WHERE body LIKE 'action-%'
     UNION ALL SELECT CAST(substr(part_number, 3) AS INTEGER) FROM part_lines WHERE part_number LIKE 'P-%'
     UNION ALL SELECT CAST(substr(name, 8) AS INTEGER) FROM measurements WHERE name LIKE 'action-%'
     UNION ALL SELECT CAST(substr(reason, 8) AS INTEGER) FROM status_changes WHERE reason LIKE 'action-%'";

fn last_action_in_store(path: &std::path::Path) -> u64 {
    let conn = Connection::open(path).expect("store file opens");
    let max: i64 = conn
        .query_row(&format!("SELECT max(n) FROM ({ACTION_NUMBERS})"), [], |r| {
            r.get(0)
        })
        .expect("max action");
    u64::try_from(max).expect("action numbers are not negative")
}
