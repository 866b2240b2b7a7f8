//! The conflict log: every value that lost a merge or that the server rejected, so nothing the
//! engineer entered disappears silently. Sync writes it; the app lists it and marks it seen.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::format_time;
use crate::error::{Entity, Error, Result};
use crate::store::columns::{self, column_set, text_enum};
use crate::visit::rows;

text_enum! {
    /// Which value survived.
    pub enum Kept {
        /// The device's value was kept.
        Local => "local",
        /// The server's value was kept; the device's is in `local_value`.
        Remote => "remote",
    }
}

/// One conflict-log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// UUIDv7.
    pub id: Uuid,
    /// What kind of row.
    pub entity: String,
    /// Which row.
    pub row_id: Uuid,
    /// Which field, if one field.
    pub field: Option<String>,
    /// The device's value (JSON text).
    pub local_value: Option<String>,
    /// The server's value (JSON text).
    pub remote_value: Option<String>,
    /// Which one survived.
    pub kept: Kept,
    /// Why, in words the engineer understands.
    pub reason: String,
    /// When it was decided.
    pub occurred_at: DateTime<Utc>,
    /// When the engineer marked it seen.
    pub seen_at: Option<DateTime<Utc>>,
}

/// A conflict to log.
#[derive(Debug, Clone)]
pub struct NewConflict {
    /// What kind of row.
    pub entity: Entity,
    /// Which row.
    pub row_id: Uuid,
    /// Which field.
    pub field: Option<String>,
    /// The device's value.
    pub local_value: Option<String>,
    /// The server's value.
    pub remote_value: Option<String>,
    /// Which survived.
    pub kept: Kept,
    /// Why.
    pub reason: String,
}

/// Why an edit of `field` lost, in the engineer's words.
pub fn lost_to_later_change(field: &str) -> String {
    format!(
        "Your change to {field} lost to a later change made elsewhere (the latest change to a \
         field wins)"
    )
}

/// Logs a conflict (sync calls this while applying the server's answer).
pub fn log(tx: &Transaction<'_>, at: DateTime<Utc>, c: NewConflict) -> Result<Uuid> {
    let id = Uuid::now_v7();
    tx.prepare_cached(
        "INSERT INTO conflicts (id, entity, row_id, field, local_value, remote_value, kept,
             reason, occurred_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(rusqlite::params![
        id.to_string(),
        c.entity.as_str(),
        c.row_id.to_string(),
        c.field,
        c.local_value,
        c.remote_value,
        c.kept,
        c.reason,
        format_time(at),
    ])?;
    Ok(id)
}

column_set! {
    /// The columns of a [`Conflict`].
    struct ConflictColumns {
        id, entity, row_id, field, local_value, remote_value, kept, reason, occurred_at, seen_at,
    }
}

/// The conflict log, newest first; only unseen entries unless `include_seen`.
pub fn list(conn: &Connection, include_seen: bool) -> Result<Vec<Conflict>> {
    // Two statements, not `?1 OR seen_at IS NULL`: with the OR, SQLite scans every entry ever
    // logged; the unseen ones alone come straight from `conflicts_unseen`.
    let sql = if include_seen {
        "SELECT id, entity, row_id, field, local_value, remote_value, kept, reason, occurred_at,
                seen_at
         FROM conflicts ORDER BY occurred_at DESC, id DESC"
    } else {
        "SELECT id, entity, row_id, field, local_value, remote_value, kept, reason, occurred_at,
                seen_at
         FROM conflicts WHERE seen_at IS NULL ORDER BY occurred_at DESC, id DESC"
    };
    rows(conn, sql, (), |r, c: &ConflictColumns| {
        Ok(Conflict {
            id: columns::uuid(r, c.id)?,
            entity: r.get(c.entity)?,
            row_id: columns::uuid(r, c.row_id)?,
            field: r.get(c.field)?,
            local_value: r.get(c.local_value)?,
            remote_value: r.get(c.remote_value)?,
            kept: r.get(c.kept)?,
            reason: r.get(c.reason)?,
            occurred_at: columns::time(r, c.occurred_at)?,
            seen_at: columns::opt_time(r, c.seen_at)?,
        })
    })
}

/// Marks a conflict-log entry as seen by the engineer.
pub fn mark_seen(tx: &Transaction<'_>, id: Uuid, at: DateTime<Utc>) -> Result<()> {
    let changed = tx
        .prepare_cached("UPDATE conflicts SET seen_at = ?2 WHERE id = ?1 AND seen_at IS NULL")?
        .execute((id.to_string(), format_time(at)))?;
    if changed == 0 {
        let exists: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM conflicts WHERE id = ?1)")?
            .query_row([id.to_string()], |r| r.get(0))?;
        if !exists {
            return Err(Error::not_found(Entity::Conflict, id));
        }
    }
    Ok(())
}
