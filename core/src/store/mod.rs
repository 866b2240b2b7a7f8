//! The device store: one SQLite file per signed-in engineer.
//!
//! One writer connection and one reader connection (or several, for the server:
//! [`Store::with_readers`]), each behind a mutex and used only through closures: [`Store::read`] hands out a `&Connection`, [`Store::act`] a `&Transaction` that
//! commits when the closure returns `Ok` and rolls back otherwise. The file is in WAL mode, so
//! reads never wait for a write, and the writer commits with `synchronous=FULL`: when an action
//! returns, it is on disk together with its outbox entry. WAL checkpoints run on a thread of
//! their own, never inside an action's commit ([`checkpoint`]). Many independent writes can
//! share one commit ([`Store::import_batch`]).

mod action;
mod batch;
pub mod checkpoint;
pub(crate) mod columns;
pub mod indexes;
pub mod packed;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use uuid::Uuid;

pub use action::{ActionCtx, Op, ROW_STAMP, field_stamp, field_stamps, row_stamp, row_stamps};
pub use batch::Batch;
pub use schema::LATEST_VERSION;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};

/// Prepared statements kept per connection. A pull page alone uses more than rusqlite's default
/// of 16 (an upsert per kind of row, the stamp and outbox lookups): with 16, statements were
/// parsed again row after row.
const STATEMENT_CACHE: usize = 128;

/// How a write transaction's commit reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// `synchronous=FULL`: on disk when the commit returns. Every engineer action, the outbox.
    Full,
    /// `synchronous=NORMAL` (WAL): atomic, but a power cut may take back the last commits.
    /// Only for a pulled page with its cursor: they live or die together, and a page taken
    /// back is simply pulled again.
    Relaxed,
}

/// An open device store.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    /// Which reader a read waits for when every reader is busy (round robin).
    next_reader: AtomicUsize,
    clock: Arc<dyn Clock>,
    client_id: Uuid,
    /// The WAL checkpoints' thread and connection; the writer's WAL hook reports to it.
    checkpointer: checkpoint::Checkpointer,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store at `path`, creating it (with a new client id) if there is no file yet,
    /// and upgrading its schema if it is older than this build.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with_clock(path, Arc::new(SystemClock))
    }

    /// Like [`Store::open`], with a chosen wall clock (tests, seeds, benchmarks).
    pub fn open_with_clock(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let mut writer = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        // Read the file before any pragma that could write to it (journal_mode rewrites the
        // header): a file that is not ours must be refused while it is exactly as we found it.
        check_is_database(&writer, &path)?;
        schema::inspect(&writer, &path)?;
        writer.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA foreign_keys = ON;
             PRAGMA synchronous = FULL;
             PRAGMA busy_timeout = 5000;
             PRAGMA journal_size_limit = 8388608;",
        )?;
        schema::prepare(&mut writer, &path, clock.now())?;
        // A first sync that stopped half way left them out (`indexes`).
        indexes::ensure(&writer)?;
        writer.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let client_id = columns::parse_uuid(
            "device.client_id",
            writer.query_row("SELECT client_id FROM device", [], |r| {
                r.get::<_, String>("client_id")
            })?,
        )?;
        let reader = open_reader(&path)?;
        let checkpointer = checkpoint::Checkpointer::start(&path, &mut writer)?;
        Ok(Store {
            path,
            writer: Mutex::new(writer),
            readers: vec![Mutex::new(reader)],
            next_reader: AtomicUsize::new(0),
            clock,
            client_id,
            checkpointer,
        })
    }

    /// The same store with `count` reader connections (at least one), so that one long read
    /// (the server answering a pull from cursor 0 over a long log) does not hold up every other
    /// read (each request's token check). A phone needs one.
    pub fn with_readers(mut self, count: usize) -> Result<Store> {
        while self.readers.len() < count {
            self.readers.push(Mutex::new(open_reader(&self.path)?));
        }
        Ok(self)
    }

    /// A free reader, or (all busy) the next one in turn.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        for reader in &self.readers {
            match reader.try_lock() {
                Ok(conn) => return conn,
                Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let turn = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        lock(&self.readers[turn])
    }

    /// This store's client id, made when the file was created.
    pub fn client_id(&self) -> Uuid {
        self.client_id
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's idea of "now" (its wall clock).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs `f` on the reader connection, inside one read transaction: every statement in `f`
    /// sees the same committed state, even while the writer commits.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.reader();
        let snapshot = conn.unchecked_transaction()?;
        f(&snapshot)
    }

    /// Runs one user action: `f` writes its rows through the transaction and logs each change
    /// through the [`ActionCtx`] (field clocks + outbox). Commits with `synchronous=FULL` when
    /// `f` returns `Ok`; on `Err` nothing of it is stored.
    pub fn act<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &mut ActionCtx) -> Result<T>,
    ) -> Result<T> {
        self.write_with(true, Durability::Full, f)
    }

    /// Writes data that came from elsewhere (the server, a seed): rows and field clocks, but no
    /// outbox entries, since there is nothing of this device's to upload.
    pub fn import<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &mut ActionCtx) -> Result<T>,
    ) -> Result<T> {
        self.write_with(false, Durability::Full, f)
    }

    /// Applies one pulled page and its cursor (like [`Store::import`]), committed with
    /// `synchronous=NORMAL`: no fsync per page. The page and its cursor are one transaction, so
    /// a power cut takes back both or neither, and the page is pulled again; the next FULL
    /// commit (any engineer action) makes every page before it durable too, so nothing an
    /// engineer did can rest on a page that is not on disk.
    pub fn import_pulled<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &mut ActionCtx) -> Result<T>,
    ) -> Result<T> {
        self.write_with(false, Durability::Relaxed, f)
    }

    /// Imports from another SQLite file: `file` is attached to the writer as `snapshot` for
    /// the one transaction `f` runs in (like [`Store::import_pulled`]: it holds the cursor it
    /// brings), and detached after it, whatever `f` returned.
    pub fn import_attached<T>(
        &self,
        file: &str,
        f: impl FnOnce(&Transaction<'_>, &mut ActionCtx) -> Result<T>,
    ) -> Result<T> {
        let mut conn = lock(&self.writer);
        // ATTACH cannot run inside a transaction, so it comes before the write begins.
        conn.execute("ATTACH DATABASE ?1 AS snapshot", [file])?;
        let out = self.write_on(&mut conn, false, Durability::Relaxed, f);
        let detached = conn.execute_batch("DETACH DATABASE snapshot");
        let out = out?;
        detached?;
        Ok(out)
    }

    fn write_with<T>(
        &self,
        to_outbox: bool,
        durability: Durability,
        f: impl FnOnce(&Transaction<'_>, &mut ActionCtx) -> Result<T>,
    ) -> Result<T> {
        let mut conn = lock(&self.writer);
        self.write_on(&mut conn, to_outbox, durability, f)
    }

    fn write_on<T>(
        &self,
        conn: &mut Connection,
        to_outbox: bool,
        durability: Durability,
        f: impl FnOnce(&Transaction<'_>, &mut ActionCtx) -> Result<T>,
    ) -> Result<T> {
        if durability == Durability::Relaxed {
            conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        }
        let out: Result<T> = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut ctx = ActionCtx::load(&tx, self.clock.now(), to_outbox)?;
            let out = f(&tx, &mut ctx)?;
            ctx.save(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        if durability == Durability::Relaxed {
            // Back to FULL whatever happened: the next action must not inherit NORMAL.
            conn.execute_batch("PRAGMA synchronous = FULL")?;
        }
        let out = out?;
        self.checkpointer.hold_back(match durability {
            Durability::Full => checkpoint::WAL_CAP_PAGES,
            Durability::Relaxed => checkpoint::PULL_WAL_CAP_PAGES,
        });
        Ok(out)
    }

    /// Runs independent writes of data that came from elsewhere (the server applying several
    /// pushes) in one transaction with one `synchronous=FULL` commit: `f` runs each in its own
    /// [`Batch::scope`], and a scope that fails leaves the others standing. Commits when `f`
    /// returns `Ok`; when it returns `Err`, or SQLite rolled the transaction back under it,
    /// nothing of the batch is stored. Either way, nothing of it is visible to a reader before
    /// this returns.
    pub fn import_batch<T>(&self, f: impl FnOnce(&Batch<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let batch = Batch::new(&tx, self);
        let out = f(&batch)?;
        if batch.is_broken() {
            return Err(Error::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
                Some("the batch's transaction was rolled back".into()),
            )));
        }
        tx.commit()?;
        self.checkpointer.hold_back(checkpoint::WAL_CAP_PAGES);
        Ok(out)
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic inside a closure rolls its transaction back (Transaction's Drop), so the
    // connection is still sound after poisoning.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn check_is_database(conn: &Connection, path: &Path) -> Result<()> {
    let path = path.to_path_buf();
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(err) => Err(match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase { path },
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => Error::Damaged { path },
            _ => err.into(),
        }),
    }
}

#[cfg(test)]
mod tests;

/// A read-only connection to the store's file.
fn open_reader(path: &Path) -> Result<Connection> {
    let reader = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // The job screen reads a dozen rows scattered over the file; 16 MB of page cache keeps a
    // day's jobs and their history in memory (SQLite's default is 2 MB).
    reader.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA cache_size = -16000;")?;
    reader.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(reader)
}
