//! Group commit on a real store file: requests that wait while a group is written share the
//! next commit, each answered only once its writes are committed; a request that fails fails
//! alone; a writer that dies takes nothing of its group to disk and leaves nobody waiting.

use std::sync::{Arc, Barrier};
use std::thread;

use onsite_core::Store;
use onsite_core::store::Batch;
use onsite_server::sync::group_commit::GroupCommit;

#[derive(Clone, Copy)]
enum Kind {
    Ok,
    /// Writes its row, then breaks a constraint: its scope is rolled back.
    Fails,
    Panics,
}

struct Job {
    x: i64,
    kind: Kind,
    /// Held inside the group's transaction until the test lets it go.
    gate: Option<(Arc<Barrier>, Arc<Barrier>)>,
}

type Answer = Result<i64, String>;

fn apply(batch: &Batch<'_>, job: &Job) -> Answer {
    if let Some((inside, release)) = &job.gate {
        inside.wait();
        release.wait();
    }
    if let Kind::Panics = job.kind {
        panic!("a writer dies in the middle of its group");
    }
    batch
        .scope(|tx, _| {
            tx.execute("INSERT INTO t VALUES (?1)", [job.x])?;
            if let Kind::Fails = job.kind {
                tx.execute("INSERT INTO t VALUES (?1)", [job.x])?;
            }
            Ok(job.x)
        })
        .map_err(|e| e.code().to_owned())
}

fn failed(err: &onsite_core::Error) -> Answer {
    Err(err.code().to_owned())
}

struct World {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    queue: Arc<GroupCommit<Job, Answer>>,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("server.db")).expect("store");
    store
        .import(|tx, _| Ok(tx.execute_batch("CREATE TABLE t (x INTEGER PRIMARY KEY)")?))
        .expect("table");
    World {
        _dir: dir,
        store: Arc::new(store),
        queue: Arc::new(GroupCommit::new(apply, failed)),
    }
}

fn committed(store: &Store, x: i64) -> bool {
    store
        .read(|c| {
            Ok(
                c.query_row("SELECT EXISTS (SELECT 1 FROM t WHERE x = ?1)", [x], |r| {
                    r.get(0)
                })?,
            )
        })
        .expect("read")
}

fn rows(store: &Store) -> Vec<i64> {
    store
        .read(|c| {
            let mut stmt = c.prepare("SELECT x FROM t ORDER BY x")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .expect("rows")
}

/// Submits `job`; the thread checks, as soon as its answer arrives, that a reader on another
/// connection sees the row: answered means committed.
fn submit(w: &World, job: Job) -> thread::JoinHandle<Answer> {
    let (store, queue) = (w.store.clone(), w.queue.clone());
    thread::spawn(move || {
        let x = job.x;
        let answer = queue.submit(&store, job);
        if answer.is_ok() {
            assert!(committed(&store, x), "answered before its commit");
        }
        answer
    })
}

/// Starts a request that holds the turn to write, inside its transaction, until released.
fn hold_the_turn(w: &World) -> (thread::JoinHandle<Answer>, Arc<Barrier>) {
    let (inside, release) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
    let first = submit(
        w,
        Job {
            x: 1,
            kind: Kind::Ok,
            gate: Some((inside.clone(), release.clone())),
        },
    );
    inside.wait();
    (first, release)
}

fn wait_until_queued(w: &World, n: usize) {
    while w.queue.waiting() < n {
        thread::yield_now();
    }
}

#[test]
fn requests_waiting_during_a_group_share_the_next_commit_and_a_failure_fails_alone() {
    let w = world();
    let (first, release) = hold_the_turn(&w);
    let waiting: Vec<_> = [(2, Kind::Ok), (3, Kind::Fails), (4, Kind::Ok)]
        .into_iter()
        .map(|(x, kind)| {
            submit(
                &w,
                Job {
                    x,
                    kind,
                    gate: None,
                },
            )
        })
        .collect();
    wait_until_queued(&w, 3);
    assert!(!committed(&w.store, 1), "visible before its commit");
    release.wait();
    assert_eq!(first.join().expect("first"), Ok(1));
    let answers: Vec<Answer> = waiting
        .into_iter()
        .map(|t| t.join().expect("request"))
        .collect();
    assert_eq!(answers[0], Ok(2));
    assert!(answers[1].is_err(), "{:?}", answers[1]);
    assert_eq!(answers[2], Ok(4));
    // The first group, then one group for the three that waited.
    assert_eq!(w.queue.commits(), 2);
    assert_eq!(rows(&w.store), [1, 2, 4]);
}

#[test]
fn a_writer_that_dies_commits_nothing_of_its_group_and_leaves_nobody_waiting() {
    let w = world();
    let (first, release) = hold_the_turn(&w);
    let waiting: Vec<_> = [(2, Kind::Panics), (3, Kind::Ok)]
        .into_iter()
        .map(|(x, kind)| {
            submit(
                &w,
                Job {
                    x,
                    kind,
                    gate: None,
                },
            )
        })
        .collect();
    wait_until_queued(&w, 2);
    release.wait();
    assert_eq!(first.join().expect("first"), Ok(1));
    // Whichever of the two wrote the group died in it; the other is answered with an error.
    for request in waiting {
        if let Ok(answer) = request.join() {
            assert!(answer.is_err(), "{answer:?}");
        }
    }
    assert_eq!(w.queue.commits(), 1);
    assert_eq!(rows(&w.store), [1]);
    // The queue and the store still work.
    assert_eq!(
        submit(
            &w,
            Job {
                x: 5,
                kind: Kind::Ok,
                gate: None
            }
        )
        .join()
        .expect("later request"),
        Ok(5)
    );
}
