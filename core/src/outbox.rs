//! The outbox as the app sees it: what is waiting to be uploaded. Entries are written by
//! [`crate::store::ActionCtx`] inside each action's transaction; the sync client sends them.

use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use crate::error::Result;
use crate::store::Op;
use crate::store::columns::{self, column_set};
use crate::visit::rows;

/// One queued change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OutboxEntry {
    /// Per-client sequence number: 1, 2, 3, ... never reused.
    pub seq: i64,
    /// Unique id of this change.
    pub mutation_id: Uuid,
    /// What kind of row.
    pub entity: String,
    /// Which row.
    pub row_id: Uuid,
    /// Insert, update or transition.
    pub op: Op,
    /// The change itself (JSON).
    pub payload: serde_json::Value,
    /// Its hybrid-logical-clock stamp.
    pub hlc: String,
}

/// How many changes wait for the server.
pub fn pending_count(conn: &Connection) -> Result<u64> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM outbox WHERE acked_at IS NULL")?
        .query_row([], |r| r.get(0))?;
    Ok(count.unsigned_abs())
}

column_set! {
    /// The columns of an [`OutboxEntry`].
    struct EntryColumns { seq, mutation_id, entity, row_id, op, payload, hlc }
}

/// The oldest `limit` changes that wait for the server, in seq order.
pub fn pending(conn: &Connection, limit: u32) -> Result<Vec<OutboxEntry>> {
    rows(
        conn,
        "SELECT seq, mutation_id, entity, row_id, op, payload, hlc
         FROM outbox WHERE acked_at IS NULL ORDER BY seq LIMIT ?1",
        [limit],
        |r, c: &EntryColumns| {
            Ok(OutboxEntry {
                seq: r.get(c.seq)?,
                mutation_id: columns::uuid(r, c.mutation_id)?,
                entity: r.get(c.entity)?,
                row_id: columns::uuid(r, c.row_id)?,
                op: columns::json_text(r, c.op)?,
                payload: columns::json(r, c.payload)?,
                hlc: r.get(c.hlc)?,
            })
        },
    )
}
