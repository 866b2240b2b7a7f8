//! Group commit: concurrent pushes share one transaction and one FULL commit.
//!
//! A FULL commit costs an fsync, the same for one mutation as for thousands, so a server that
//! commits every push on its own is held to the disk's fsync rate however many devices push.
//! Here every push joins a queue and then waits for its turn to write. Whoever gets the turn
//! takes every push waiting at that moment (its own among them, unless an earlier writer
//! already took it and answered it), applies each in scopes of its own ([`Batch::scope`]: a
//! push that fails is rolled back alone, the others stand), commits once, and only then hands
//! every push its answer. No answer leaves before the commit that makes it durable; a commit
//! that fails fails every push in it, none of which is then stored, and the devices retry.
//!
//! The writer is simply the request thread that gets the turn (the pushes run on the blocking
//! pool already), so there is no thread to start, feed or stop.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use onsite_core::Store;
use onsite_core::store::Batch;

/// What is applied and answered: the job of one request, its answer.
pub struct GroupCommit<J, R> {
    /// Requests waiting for a writer.
    waiting: Mutex<Vec<Arc<Ticket<J, R>>>>,
    /// The turn to write: held by the request thread writing a group.
    turn: Mutex<()>,
    /// Applies one request inside the group's transaction.
    apply: fn(&Batch<'_>, &J) -> R,
    /// The answer of every request in a group whose transaction failed.
    failed: fn(&onsite_core::Error) -> R,
    /// Groups committed so far.
    commits: AtomicU64,
}

struct Ticket<J, R> {
    job: J,
    /// The request's span: its work is logged under its own request id, whoever writes it.
    span: tracing::Span,
    answer: Mutex<Option<R>>,
}

impl<J, R> Ticket<J, R> {
    fn take(&self) -> Option<R> {
        lock(&self.answer).take()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A writer that panicked rolled its transaction back (Transaction's Drop) and left the
    // queue a list of requests: both still sound.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl<J, R> GroupCommit<J, R> {
    /// A queue whose groups apply each request with `apply`; when a group's transaction
    /// fails, every request in it is answered `failed(error)`.
    pub fn new(apply: fn(&Batch<'_>, &J) -> R, failed: fn(&onsite_core::Error) -> R) -> Self {
        GroupCommit {
            waiting: Mutex::new(Vec::new()),
            turn: Mutex::new(()),
            apply,
            failed,
            commits: AtomicU64::new(0),
        }
    }

    /// Requests waiting for a writer now.
    pub fn waiting(&self) -> usize {
        lock(&self.waiting).len()
    }

    /// Groups committed so far (each one FULL commit, however many requests it held).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Applies `job` in the next group written to `store` and returns its answer once that
    /// group is committed.
    pub fn submit(&self, store: &Store, job: J) -> R {
        let mine = Arc::new(Ticket {
            job,
            span: tracing::Span::current(),
            answer: Mutex::new(None),
        });
        lock(&self.waiting).push(mine.clone());
        let _turn = lock(&self.turn);
        if let Some(answer) = mine.take() {
            return answer;
        }
        let group = std::mem::take(&mut *lock(&self.waiting));
        if !group.iter().any(|t| Arc::ptr_eq(t, &mine)) {
            // Taken by a writer that panicked before it answered: nothing of it was committed.
            return (self.failed)(&onsite_core::Error::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
                Some("the group this push was in failed".into()),
            )));
        }
        tracing::debug!(pushes = group.len(), "group commit");
        let answers = store.import_batch(|batch| {
            Ok(group
                .iter()
                .map(|t| t.span.in_scope(|| (self.apply)(batch, &t.job)))
                .collect::<Vec<R>>())
        });
        match answers {
            Ok(answers) => {
                self.commits.fetch_add(1, Ordering::Relaxed);
                for (ticket, answer) in group.iter().zip(answers) {
                    *lock(&ticket.answer) = Some(answer);
                }
            }
            Err(err) => {
                for ticket in &group {
                    *lock(&ticket.answer) = Some((self.failed)(&err));
                }
            }
        }
        mine.take()
            .expect("every request of the group, this one among them, was answered above")
    }
}
