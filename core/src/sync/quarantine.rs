//! Pulled rows this device could not apply: a row whose parent is missing, whose values do not
//! fit the table, or that breaks a constraint is set aside here instead of failing its page, so
//! the rest of the page and the cursor still move on and a device is never stuck on one row.
//!
//! Each held row is in the conflict log once (when first held) and is tried again at the end
//! of every later pull page, so it applies when its parent arrives. It leaves when it applies,
//! when a newer version of the same row applies (the newer one supersedes it; one that fails
//! too replaces it here), or when its job leaves the phone.
//!
//! **Bound:** one entry per (kind of row, row id), the primary key, so the table never holds
//! more entries than rows the server has in this engineer's scope, each the row's newest
//! version; retrying costs one savepoint per held row per pull page.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction};
use uuid::Uuid;

use super::rows;
use super::wire::RowChange;
use crate::clock::format_time;
use crate::conflicts::{self, Kept, NewConflict};
use crate::error::{Error, Result};

/// Whether `err` is the row's own fault (hold it, apply the rest of the page) rather than the
/// store's (fail the page; the round is tried again).
pub(super) fn is_row_failure(err: &Error) -> bool {
    use rusqlite::ErrorCode::{ConstraintViolation, TooBig, TypeMismatch};
    match err {
        Error::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
            matches!(e.code, ConstraintViolation | TooBig | TypeMismatch)
        }
        // A value that does not convert (a number out of range, a bad id).
        Error::Sqlite(_) => true,
        Error::Invalid { .. }
        | Error::Protocol(_)
        | Error::Json(_)
        | Error::Corrupt { .. }
        | Error::NotFound { .. } => true,
        _ => false,
    }
}

/// The key a pulled row is held under: its id as sent, or its log entry if it has none.
fn key(change: &RowChange) -> String {
    match change.row.get("id").and_then(serde_json::Value::as_str) {
        Some(id) => id.to_owned(),
        None => format!("#{}", change.server_seq),
    }
}

/// Holds `change`, which failed with `err`. A row held for the first time goes into the
/// conflict log too; a newer version of a held row replaces it.
pub(super) fn hold(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    change: &RowChange,
    err: &Error,
) -> Result<()> {
    let key = key(change);
    let entity = change.entity.as_str();
    let held_before: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM quarantine WHERE entity = ?1 AND row_id = ?2)",
        )?
        .query_row((entity, &key), |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT INTO quarantine (entity, row_id, work_order_id, server_seq, change, reason, held_at, attempts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)
         ON CONFLICT (entity, row_id) DO UPDATE SET work_order_id = excluded.work_order_id,
             server_seq = excluded.server_seq, change = excluded.change, reason = excluded.reason,
             attempts = attempts + 1",
    )?
    .execute((
        entity,
        &key,
        rows::job_of(change.entity, &change.row).map(|j| j.to_string()),
        change.server_seq,
        serde_json::to_string(change)?,
        err.code(),
        format_time(now),
    ))?;
    // Ids only: the row's content can be personal.
    tracing::warn!(entity, row_id = %key, server_seq = change.server_seq, code = %err.code(), "pulled row held in quarantine");
    if !held_before {
        conflicts::log(
            tx,
            now,
            NewConflict {
                entity: change.entity,
                row_id: key.parse().unwrap_or(Uuid::nil()),
                field: None,
                local_value: None,
                remote_value: Some(serde_json::Value::Object(change.row.clone()).to_string()),
                kept: Kept::Local,
                reason: format!(
                    "This change from the server could not be stored on this phone ({}); it is \
                     kept aside and tried again at every sync",
                    err.code()
                ),
            },
        )?;
    }
    Ok(())
}

/// `change` applied: an older version of it held here is superseded.
pub(super) fn applied(tx: &Transaction<'_>, change: &RowChange) -> Result<()> {
    tx.prepare_cached("DELETE FROM quarantine WHERE entity = ?1 AND row_id = ?2")?
        .execute((change.entity.as_str(), key(change)))?;
    Ok(())
}

/// A job left the phone: its held rows are no longer this engineer's.
pub(super) fn job_left(tx: &Transaction<'_>, job: Uuid) -> Result<()> {
    tx.prepare_cached("DELETE FROM quarantine WHERE work_order_id = ?1")?
        .execute([job.to_string()])?;
    Ok(())
}

/// Tries every held row again with `apply` (each in a savepoint), parents first, until a pass
/// applies nothing more; a row that applies leaves. Returns how many applied.
pub(super) fn retry(
    tx: &Transaction<'_>,
    apply: &mut dyn FnMut(&RowChange) -> Result<()>,
) -> Result<usize> {
    if is_empty(tx)? {
        return Ok(0);
    }
    let mut applied = 0;
    loop {
        let texts: Vec<String> = tx
            .prepare_cached("SELECT change FROM quarantine ORDER BY server_seq")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // This store wrote them; one it cannot read back waits for a newer version of its row.
        let mut held: Vec<RowChange> = texts
            .iter()
            .filter_map(|t| serde_json::from_str(t).ok())
            .collect();
        held.sort_by_key(|c| rows::depth(c.entity));
        let before = applied;
        for change in &held {
            tx.prepare_cached("SAVEPOINT held_row")?.execute([])?;
            match apply(change) {
                Ok(()) => {
                    tx.prepare_cached("RELEASE held_row")?.execute([])?;
                    self::applied(tx, change)?;
                    applied += 1;
                }
                Err(err) if is_row_failure(&err) => {
                    tx.execute_batch("ROLLBACK TO held_row; RELEASE held_row")?;
                }
                Err(err) => return Err(err),
            }
        }
        if applied == before {
            break;
        }
    }
    tx.prepare_cached("UPDATE quarantine SET attempts = attempts + 1")?
        .execute([])?;
    Ok(applied)
}

/// Whether no pulled row is held.
pub(super) fn is_empty(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM quarantine)")?
        .query_row([], |r| r.get(0))?)
}

/// How many pulled rows are held, and the jobs they belong to (where a row names one).
pub fn summary(conn: &Connection) -> Result<(u64, Vec<Uuid>)> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM quarantine")?
        .query_row([], |r| r.get(0))?;
    let jobs = conn
        .prepare_cached(
            "SELECT DISTINCT work_order_id FROM quarantine WHERE work_order_id IS NOT NULL
             ORDER BY work_order_id",
        )?
        .query_map([], |r| r.get::<_, String>(0))?
        .map(|id| crate::store::columns::parse_uuid("quarantine.work_order_id", id?))
        .collect::<Result<_>>()?;
    Ok((u64::try_from(count).unwrap_or(0), jobs))
}
