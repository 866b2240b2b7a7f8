//! Snapshots for a device's first sync: every row the caller may see, as the pull would send
//! them (the same scope rule, `pull::ENGINEER_SCOPE`, read at one cursor), built into a file by
//! the core (`onsite_core::sync::snapshot`), compressed and hashed. The device installs it in
//! one transaction and pulls on from its cursor.
//!
//! Built per request into the snapshots directory beside the database and handed back as a
//! file already unlinked: nothing is left on disk however the answer ends. Logged with counts
//! only.

use std::io::{BufWriter, Seek, SeekFrom};

use onsite_core::store::LATEST_VERSION;
use onsite_core::sync::snapshot;
use rusqlite::Connection;

use super::pull::ENGINEER_SCOPE;
use crate::db::{Db, User, UserRole};
use crate::error::{ServerError, ServerResult};

/// A built snapshot, ready to send.
#[derive(Debug)]
pub struct Snapshot {
    /// The compressed bytes, at their start; unlinked, gone once closed.
    pub file: std::fs::File,
    /// Their length.
    pub len: u64,
    /// Their SHA-256, hex.
    pub sha256: String,
    /// The change-log position the scope was read at.
    pub cursor: i64,
    /// Rows in it.
    pub rows: u64,
    /// The SQLite file's size before compression.
    pub raw_len: u64,
    /// Where building it took its time: the scope, the copy (the core's), the compression.
    pub timings: SnapshotTimings,
}

/// Where building a snapshot took its time (the sync benchmark prints it).
#[derive(Debug, Clone, Copy, Default)]
pub struct SnapshotTimings {
    /// The scope rule over the change log, and the parents its rows need.
    pub scope: std::time::Duration,
    /// The rows and field clocks copied into the file.
    pub copy: std::time::Duration,
    /// zstd and the hash.
    pub compress: std::time::Duration,
}

/// Builds the snapshot of `caller`'s scope for a device on store schema `schema`.
pub fn snapshot(db: &Db, caller: &User, schema: i64) -> ServerResult<Snapshot> {
    let result = build(db, caller, schema);
    let user = caller.id;
    match &result {
        Ok(s) => tracing::info!(
            %user,
            rows = s.rows,
            cursor = s.cursor,
            bytes = s.len,
            outcome = %"ok",
            "snapshot"
        ),
        Err(err) => tracing::info!(%user, outcome = %err.code(), kind = %err.kind(), "snapshot"),
    }
    result
}

fn build(db: &Db, caller: &User, schema: i64) -> ServerResult<Snapshot> {
    if !db.snapshots() {
        return Err(ServerError::SnapshotsOff);
    }
    if schema != i64::from(LATEST_VERSION) {
        return Err(ServerError::SnapshotSchema {
            asked: schema,
            built: LATEST_VERSION,
        });
    }
    let dir = db.snapshots_dir();
    let storage = |source: std::io::Error| ServerError::Storage {
        path: dir.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(storage)?;
    let raw = tempfile::Builder::new()
        .prefix("build-")
        .suffix(".db")
        .tempfile_in(&dir)
        .map_err(storage)?;
    let built = snapshot::build(db.path(), raw.path(), |conn| fill(conn, caller))?;
    let raw_len = raw.as_file().metadata().map_err(storage)?.len();
    let started = std::time::Instant::now();
    let mut file = tempfile::tempfile_in(&dir).map_err(storage)?;
    let sha256 = snapshot::compress(raw.path(), BufWriter::new(&mut file))?;
    let compress = started.elapsed();
    drop(raw);
    let len = file.seek(SeekFrom::End(0)).map_err(storage)?;
    file.seek(SeekFrom::Start(0)).map_err(storage)?;
    Ok(Snapshot {
        file,
        len,
        sha256,
        cursor: built.cursor,
        rows: built.rows,
        raw_len,
        timings: SnapshotTimings {
            scope: built.scope,
            copy: built.copy,
            compress,
        },
    })
}

/// The caller's scope: every row with a log entry up to the cursor that the pull would send
/// them now (removals aside: a snapshot holds only what is theirs).
fn fill(conn: &Connection, caller: &User) -> onsite_core::Result<i64> {
    let cursor: i64 = conn.query_row(
        "SELECT coalesce(max(server_seq), 0) FROM change_log",
        [],
        |r| r.get(0),
    )?;
    let scope = if caller.role == UserRole::Engineer {
        ENGINEER_SCOPE
    } else {
        "?1 IS NOT NULL"
    };
    conn.execute(
        &format!(
            "INSERT OR IGNORE INTO temp.snapshot_scope (entity, row_id)
             SELECT c.entity, c.row_id FROM change_log c
             WHERE c.server_seq <= ?2 AND c.left_scope_of IS NULL AND ({scope})"
        ),
        (&caller.name, cursor),
    )?;
    Ok(cursor)
}
