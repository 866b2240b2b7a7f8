//! Many independent writes in one transaction and one FULL commit ([`Store::import_batch`]).
//!
//! A commit with `synchronous=FULL` costs an fsync whatever it holds, so a server applying
//! thousands of pushed mutations one transaction each is bounded by the disk's fsync rate. A
//! batch runs each write in a scope of its own, a savepoint with its own [`ActionCtx`]: a scope
//! that fails is rolled back to its savepoint and the others are kept, all committed together.

use std::cell::Cell;

use rusqlite::Transaction;

use super::{ActionCtx, Store};
use crate::error::{Error, Result};

/// One write transaction shared by independent scopes (see [`Store::import_batch`]).
pub struct Batch<'t> {
    tx: &'t Transaction<'t>,
    store: &'t Store,
    /// SQLite ended the whole transaction (a full disk, an I/O error): the batch can only fail.
    broken: Cell<bool>,
}

impl<'t> Batch<'t> {
    pub(super) fn new(tx: &'t Transaction<'t>, store: &'t Store) -> Batch<'t> {
        Batch {
            tx,
            store,
            broken: Cell::new(false),
        }
    }

    /// Whether SQLite rolled the whole transaction back under a scope; then nothing of the
    /// batch may be committed.
    pub(super) fn is_broken(&self) -> bool {
        self.broken.get()
    }

    /// Runs `f` in a savepoint of its own, with an [`ActionCtx`] of its own (as
    /// [`Store::import`] would, without the commit). `Ok`: its writes stay, to be committed with
    /// the batch. `Err`: everything it wrote is rolled back, the error is returned, and the
    /// batch goes on with the next scope.
    pub fn scope<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &mut ActionCtx) -> Result<T>,
    ) -> Result<T> {
        // Outside a transaction a SAVEPOINT would open a new one, committed on its RELEASE:
        // writes of the batch committed one by one before its answers. Refuse instead.
        if self.broken.get() || self.tx.is_autocommit() {
            self.broken.set(true);
            return Err(transaction_gone());
        }
        self.tx.execute_batch("SAVEPOINT scope")?;
        let result = ActionCtx::load(self.tx, self.store.now(), false).and_then(|mut ctx| {
            let out = f(self.tx, &mut ctx)?;
            ctx.save(self.tx)?;
            Ok(out)
        });
        if self.tx.is_autocommit() {
            self.broken.set(true);
            return Err(result.err().unwrap_or_else(transaction_gone));
        }
        let end = if result.is_ok() {
            "RELEASE scope"
        } else {
            "ROLLBACK TO scope; RELEASE scope"
        };
        if let Err(err) = self.tx.execute_batch(end) {
            self.broken.set(true);
            return Err(err.into());
        }
        result
    }
}

/// The error of a scope run after SQLite had already rolled the batch back.
fn transaction_gone() -> Error {
    Error::Sqlite(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some("the batch's transaction was rolled back".into()),
    ))
}
