//! WAL checkpoints off the action path.
//!
//! SQLite's automatic checkpoint runs inside the commit that pushes the WAL past 1,000 pages:
//! that one action copies 4 MB into the database file and fsyncs it, which is what an
//! engineer's slowest taps (and the server's slowest pushes) were made of. The writer here has
//! automatic checkpoints off (`wal_autocheckpoint = 0`); its WAL hook only notes the WAL's size
//! after each commit, and a thread with a connection of its own checkpoints:
//!
//! - **PASSIVE, when the WAL passes [`CHECKPOINT_PAGES`].** A passive checkpoint takes no lock
//!   a writer or reader waits for; actions go on committing while it copies. Once it has
//!   copied everything, the next commit starts the WAL over from its beginning, so the file
//!   stops growing at about that size.
//! - **PASSIVE again when the store has been idle for [`IDLE`]** with frames not yet copied, so
//!   an app that is put away leaves a short WAL (quick to open, quick to read through). Not
//!   TRUNCATE: a truncated WAL has to grow again, and a commit that extends a file pays for a
//!   metadata journal write in its fsync, on the action path.
//! - **Back-pressure past [`WAL_CAP_PAGES`].** If the checkpointer falls behind (a starved
//!   thread on a busy phone), the committing writer waits for one checkpoint pass that began
//!   after its commit ([`Checkpointer::hold_back`]). That is the bound: the WAL never holds
//!   more than the cap plus one transaction, unless a reader holds an old snapshot open
//!   (nothing can reset a WAL a reader still reads).

use std::ffi::c_int;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::wal::CheckpointMode;
use rusqlite::{Connection, MAIN_DB, OpenFlags};

use crate::error::Result;

/// WAL size (pages) past which the background connection checkpoints: SQLite's own default
/// for automatic checkpoints (4 MB of 4 KB pages).
pub const CHECKPOINT_PAGES: i32 = 1_000;

/// WAL size (pages) past which a commit waits for a checkpoint pass before returning.
pub const WAL_CAP_PAGES: i32 = 2 * CHECKPOINT_PAGES;

/// The same for a pulled page (`Store::import_pulled`): a first sync commits page after page
/// as fast as it can, and waiting at [`WAL_CAP_PAGES`] made it wait for two fsyncs of every
/// checkpoint pass after its first 8 MB. It waits only past this (64 MB), so the
/// checkpointer copies on the other core while pages go on committing.
pub const PULL_WAL_CAP_PAGES: i32 = 16 * CHECKPOINT_PAGES;

/// How long without a commit counts as idle.
pub const IDLE: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
struct State {
    /// WAL frames after the last commit (from the writer's WAL hook).
    wal_pages: i32,
    /// Commits so far.
    commits: u64,
    /// The value of `commits` when the last checkpoint pass began.
    checked_at: u64,
    /// The store is closing: the thread ends.
    stop: bool,
    /// The thread has ended (closing, or it failed): nobody waits for it any more.
    gone: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the checkpointer: a commit, or the store closing.
    wake: Condvar,
    /// Wakes writers held back: a checkpoint pass ended, or the thread did.
    passed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a few counters, consistent after every statement: usable after a panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The background checkpointer of one store (its thread and its connection).
#[derive(Debug)]
pub(super) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Turns off automatic checkpoints on `writer`, hooks its commits, and starts the thread.
    pub(super) fn start(path: &Path, writer: &mut Connection) -> Result<Checkpointer> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // A checkpoint fsyncs the WAL before it copies and the database after: at FULL, as the
        // writer, so a power cut during one loses nothing.
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        writer.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
        let shared = Arc::new(Shared::default());
        let hook = shared.clone();
        // Set after the pragma: the pragma installs a hook of its own, this one replaces it.
        writer.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages: c_int| {
            let mut state = hook.lock();
            state.wal_pages = pages;
            state.commits += 1;
            if pages >= CHECKPOINT_PAGES {
                hook.wake.notify_one();
            }
            Ok(())
        }))?;
        let running = shared.clone();
        let thread = std::thread::Builder::new()
            .name("onsite-checkpoint".into())
            .spawn(move || run(&conn, &running))
            .map_err(|e| {
                crate::Error::Sqlite(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some(format!("cannot start the checkpoint thread: {e}")),
                ))
            })?;
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }

    /// Called by the writer after a commit, with the write lock still held: past `cap` pages
    /// ([`WAL_CAP_PAGES`], or [`PULL_WAL_CAP_PAGES`] after a pulled page), waits until a
    /// checkpoint pass that began after this commit has ended.
    pub(super) fn hold_back(&self, cap: i32) {
        let mut state = self.shared.lock();
        if state.wal_pages < cap {
            return;
        }
        let committed = state.commits;
        self.shared.wake.notify_one();
        while !state.gone && state.checked_at < committed {
            state = self
                .shared
                .passed
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            // A panicked thread has already let every waiter go (`Gone`); nothing to add.
            let _ = thread.join();
        }
    }
}

/// Marks the thread gone when it ends, however it ends, so no writer waits for it for ever.
struct Gone<'a>(&'a Shared);

impl Drop for Gone<'_> {
    fn drop(&mut self) {
        self.0.lock().gone = true;
        self.0.passed.notify_all();
    }
}

fn run(conn: &Connection, shared: &Shared) {
    let _gone = Gone(shared);
    let mut state = shared.lock();
    loop {
        if state.stop {
            return;
        }
        let behind = state.commits != state.checked_at;
        if behind && state.wal_pages >= CHECKPOINT_PAGES {
            state = pass(conn, shared, state);
            continue;
        }
        if !behind {
            state = shared.wake.wait(state).unwrap_or_else(|p| p.into_inner());
            continue;
        }
        let commits = state.commits;
        let (next, waited) = shared
            .wake
            .wait_timeout(state, IDLE)
            .unwrap_or_else(|p| p.into_inner());
        state = next;
        if waited.timed_out() && state.commits == commits && !state.stop {
            state = pass(conn, shared, state);
        }
    }
}

/// One PASSIVE checkpoint, run without the state lock (commits go on meanwhile).
fn pass<'a>(
    conn: &Connection,
    shared: &'a Shared,
    mut state: MutexGuard<'a, State>,
) -> MutexGuard<'a, State> {
    let began_at = state.commits;
    drop(state);
    let result = conn.wal_checkpoint_v2(Some(MAIN_DB), CheckpointMode::PASSIVE);
    match result {
        Ok((wal, copied)) => tracing::debug!(wal, copied, "checkpoint"),
        // Busy: another connection checkpoints (one closing); the next commit tries again.
        Err(err) => tracing::warn!(
            code = ?err.sqlite_error_code(),
            "checkpoint failed; the next commit tries again"
        ),
    }
    state = shared.lock();
    state.checked_at = began_at;
    shared.passed.notify_all();
    state
}
