//! Installing a snapshot on a device that has never synced: every table copied in with one
//! statement each, parents first, in one transaction with the cursor; the deferrable indexes
//! built once at the end; the store's clock moved past every stamp it brought. A refusal or a
//! failure leaves the store exactly as it was (empty), and the client pulls page by page.

use rusqlite::{Connection, Transaction};

use super::build::path_text;
use super::{FORMAT, SnapshotError, SnapshotFile};
use crate::error::{Entity, Result};
use crate::store::{ActionCtx, LATEST_VERSION, Store, indexes};
use crate::sync::apply::cursor;
use crate::sync::merge::wire_stamp;

/// What an install put in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installed {
    /// Rows of the synced tables installed.
    pub rows: u64,
    /// The pull cursor the store now has.
    pub cursor: i64,
}

/// Whether the store has never synced and holds nothing a snapshot could collide with: cursor
/// 0, no synced row, nothing waiting to be pushed, nothing held or waiting to leave.
pub fn is_fresh(conn: &Connection) -> Result<bool> {
    if cursor(conn)? != 0 {
        return Ok(false);
    }
    let mut tables: Vec<&str> = Entity::synced().map(Entity::table).collect();
    tables.extend(["outbox", "quarantine", "pending_removals", "field_clocks"]);
    for table in tables {
        let any: bool =
            conn.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
                r.get(0)
            })?;
        if any {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Installs the snapshot `file` into `store`, which must be fresh ([`is_fresh`]).
pub fn install(store: &Store, file: &SnapshotFile) -> Result<Installed> {
    store.import_attached(path_text(file.path())?, install_attached)
}

fn install_attached(tx: &Transaction<'_>, ctx: &mut ActionCtx) -> Result<Installed> {
    let (format, schema, at): (i64, i64, i64) = tx.query_row(
        "SELECT format, schema_version, cursor FROM snapshot.snapshot_meta",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if format != FORMAT || schema != i64::from(LATEST_VERSION) {
        return Err(SnapshotError::Incompatible { format, schema }.into());
    }
    if !is_fresh(tx)? {
        return Err(SnapshotError::NotFresh.into());
    }
    // Checked at the end of each statement: a table copied whole may point at itself (a
    // follow-up at the visit it follows), and its parents' tables are in already.
    tx.execute_batch("PRAGMA defer_foreign_keys = OFF")?;
    indexes::drop_deferrable(tx)?;
    let mut rows = 0u64;
    for entity in Entity::synced() {
        rows += copy_table(tx, entity.table())? as u64;
    }
    copy_table(tx, "field_clocks")?;
    if let Some(newest) = newest_stamp(tx)? {
        ctx.receive(wire_stamp(&newest)?);
    }
    indexes::ensure(tx)?;
    tx.execute("UPDATE sync_state SET pull_cursor = ?1", [at])?;
    Ok(Installed { rows, cursor: at })
}

/// Copies `table` from the snapshot, column by column as this store has them (every one must
/// be in the snapshot); the store's own constraints check every row.
fn copy_table(tx: &Transaction<'_>, table: &'static str) -> Result<usize> {
    let ours = columns(tx, "main", table)?;
    let theirs = columns(tx, "snapshot", table)?;
    if let Some(missing) = ours.iter().find(|c| !theirs.contains(c)) {
        return Err(SnapshotError::MissingColumn {
            table,
            column: missing.clone(),
        }
        .into());
    }
    if let Some(stamp) = ours.iter().find(|c| *c == "row_stamp" || *c == "hlc") {
        refuse_bad_stamps(tx, table, stamp)?;
    }
    let list = ours
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(tx.execute(
        &format!("INSERT INTO main.{table} ({list}) SELECT {list} FROM snapshot.{table}"),
        [],
    )?)
}

/// Refuses a table whose stamps are not all HLC text (a stamp the store could not read back
/// would fail every later merge of its row): the one check a row's own constraints do not do.
fn refuse_bad_stamps(tx: &Transaction<'_>, table: &str, column: &str) -> Result<()> {
    let hlc_shape = format!(
        "{}-{}-{}",
        "[0-9]".repeat(15),
        "[0-9]".repeat(10),
        "?".repeat(36)
    );
    let bad: Option<String> = tx
        .query_row(
            &format!(
                "SELECT {column} FROM snapshot.{table}
                 WHERE {column} IS NOT NULL AND NOT {column} GLOB ?1 LIMIT 1"
            ),
            [hlc_shape],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    match bad {
        Some(text) => wire_stamp(&text).map(|_| ()),
        None => Ok(()),
    }
}

/// The column names of `schema.table` (none if the table is missing).
fn columns(tx: &Transaction<'_>, schema: &str, table: &str) -> Result<Vec<String>> {
    let mut stmt = tx.prepare("SELECT name FROM pragma_table_info(?1, ?2)")?;
    let names = stmt
        .query_map([table, schema], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// The newest stamp the snapshot brought (HLC text sorts as the clock does: fixed width).
fn newest_stamp(tx: &Transaction<'_>) -> Result<Option<String>> {
    let mut newest: Option<String> =
        tx.query_row("SELECT max(hlc) FROM snapshot.field_clocks", [], |r| {
            r.get(0)
        })?;
    for entity in Entity::synced() {
        let max: Option<String> = tx.query_row(
            &format!("SELECT max(row_stamp) FROM snapshot.{}", entity.table()),
            [],
            |r| r.get(0),
        )?;
        newest = newest.max(max);
    }
    Ok(newest)
}
