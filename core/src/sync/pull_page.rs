//! Applying one pull page on the device: parent first, a savepoint per row, keeping fields with
//! a pending local edit; a row that cannot be applied waits in [`quarantine`] and the rest of
//! the page and its cursor still apply.

use rusqlite::{Connection, Transaction};
use serde_json::Value;
use uuid::Uuid;

use super::apply::cursor;
use super::wire::{PullResponse, RowChange};
use super::{merge, quarantine, removal, rows};
use crate::error::{Entity, Error, Result};
use crate::outbox;
use crate::store::{ActionCtx, Op, indexes};

/// Fields of a row that have an unacknowledged local insert or transition: they keep the local
/// value.
fn pending_fields(conn: &Connection, entity: Entity, row_id: Uuid) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT op, payload FROM outbox WHERE acked_at IS NULL AND entity = ?1 AND row_id = ?2",
    )?;
    let rows = stmt.query_map((entity.as_str(), row_id.to_string()), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut fields = Vec::new();
    for row in rows {
        let (op, payload) = row?;
        match serde_json::from_value::<Op>(Value::String(op))? {
            Op::Transition => fields.push("status".to_owned()),
            // Edited fields are merged by stamp instead (see `merge`): keeping them here would
            // keep an older local value over a newer remote one.
            Op::Update => {}
            Op::Insert => {
                if let Value::Object(map) = serde_json::from_str(&payload)? {
                    fields.extend(map.keys().cloned());
                }
            }
        }
    }
    Ok(fields)
}

/// What applying one page carries from row to row.
struct PageState {
    /// Whether any change waits for the server (a first sync, most pulls: none).
    waiting: bool,
    /// Whether a job waits to leave (`pending_removals`).
    removals_wait: bool,
    writer: rows::RowWriter,
}

/// Applies one pull page and its cursor, in the caller's transaction. Rows go in parent first
/// (each removal stays where it is: what follows it may give the job back); if a row fails, the
/// page is redone a savepoint per row: a row that cannot be applied is held in [`quarantine`] and the rest of the page
/// still applies; then every held row is tried again. Editable fields merge by stamp
/// ([`merge`]); a status with a pending local transition keeps the local value until the server
/// has answered it. Returns how many of the page's rows applied.
pub fn apply_pull(tx: &Transaction<'_>, ctx: &mut ActionCtx, page: &PullResponse) -> Result<usize> {
    // Foreign keys are checked per statement (not deferred to the commit): a row whose parent is
    // missing fails alone, in its savepoint.
    tx.execute_batch("PRAGMA defer_foreign_keys = OFF")?;
    let first_sync_starts = page.more
        && cursor(tx)? == 0
        && !tx.query_row("SELECT EXISTS (SELECT 1 FROM work_orders)", [], |r| {
            r.get(0)
        })?;
    if first_sync_starts {
        indexes::drop_deferrable(tx)?;
    }
    let ordered = parent_first(&page.changes);
    // Most pages apply whole: tried first in one savepoint (a savepoint per row cost a first
    // sync a quarter of its speed); only a page with a failing row is redone row by row.
    tx.execute_batch("SAVEPOINT pulled_page")?;
    let mut state = page_state(tx)?;
    let fast = ordered
        .iter()
        .try_for_each(|change| apply_change(tx, ctx, &mut state, change));
    let applied = match fast {
        Ok(()) => {
            tx.execute_batch("RELEASE pulled_page")?;
            if !quarantine::is_empty(tx)? {
                for change in &ordered {
                    quarantine::applied(tx, change)?;
                }
            }
            ordered.len()
        }
        Err(err) if quarantine::is_row_failure(&err) => {
            tx.execute_batch("ROLLBACK TO pulled_page; RELEASE pulled_page")?;
            state = page_state(tx)?;
            row_by_row(tx, ctx, &mut state, &ordered)?
        }
        Err(err) => return Err(err),
    };
    quarantine::retry(tx, &mut |change| apply_change(tx, ctx, &mut state, change))?;
    if state.removals_wait {
        removal::remove_answered_jobs(tx)?;
    }
    if !page.more {
        indexes::ensure(tx)?;
    }
    tx.prepare_cached("UPDATE sync_state SET pull_cursor = ?1")?
        .execute([page.cursor])?;
    Ok(applied)
}

fn page_state(tx: &Transaction<'_>) -> Result<PageState> {
    Ok(PageState {
        waiting: outbox::pending_count(tx)? > 0,
        removals_wait: tx.query_row("SELECT EXISTS (SELECT 1 FROM pending_removals)", [], |r| {
            r.get(0)
        })?,
        writer: rows::RowWriter::default(),
    })
}

/// Applies `ordered` a savepoint per row, holding each row that fails. Returns how many applied.
fn row_by_row(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    state: &mut PageState,
    ordered: &[&RowChange],
) -> Result<usize> {
    let mut applied = 0;
    for change in ordered {
        tx.prepare_cached("SAVEPOINT pulled_row")?.execute([])?;
        match apply_change(tx, ctx, state, change) {
            Ok(()) => {
                tx.prepare_cached("RELEASE pulled_row")?.execute([])?;
                quarantine::applied(tx, change)?;
                applied += 1;
            }
            Err(err) if quarantine::is_row_failure(&err) => {
                tx.execute_batch("ROLLBACK TO pulled_row; RELEASE pulled_row")?;
                quarantine::hold(tx, ctx.now(), change, &err)?;
            }
            Err(err) => return Err(err),
        }
    }
    Ok(applied)
}

/// The page's rows parent first ([`rows::depth`], stable): within each run of rows between two
/// removals, since a removal deletes what rows before it wrote and rows after it may write again.
fn parent_first(changes: &[RowChange]) -> Vec<&RowChange> {
    let mut ordered = Vec::with_capacity(changes.len());
    for run in changes.split_inclusive(|c| c.removed) {
        let (rows_of_run, removal) = match run.split_last() {
            Some((last, rest)) if last.removed => (rest, Some(last)),
            _ => (run, None),
        };
        let mut run: Vec<&RowChange> = rows_of_run.iter().collect();
        run.sort_by_key(|c| rows::depth(c.entity));
        ordered.extend(run);
        ordered.extend(removal);
    }
    ordered
}

/// Applies one pulled row (or removal).
fn apply_change(
    tx: &Transaction<'_>,
    ctx: &mut ActionCtx,
    state: &mut PageState,
    change: &RowChange,
) -> Result<()> {
    let id: Uuid = change
        .row
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::Protocol("a pulled row has no id".into()))?;
    if change.removed {
        if change.entity == Entity::WorkOrder {
            if removal::remove_job(tx, id)? {
                quarantine::job_left(tx, id)?;
            } else {
                tx.prepare_cached("INSERT OR IGNORE INTO pending_removals VALUES (?1)")?
                    .execute([id.to_string()])?;
                // The same page may give the job back further on.
                state.removals_wait = true;
            }
        }
        return Ok(());
    }
    if state.removals_wait && change.entity == Entity::WorkOrder {
        // The job is this engineer's again: it stays.
        tx.prepare_cached("DELETE FROM pending_removals WHERE work_order_id = ?1")?
            .execute([id.to_string()])?;
    }
    let mut keep = if state.waiting {
        pending_fields(tx, change.entity, id)?
    } else {
        Vec::new()
    };
    keep.extend(merge::merge_row(tx, change, id)?);
    state.writer.write(
        tx,
        change.entity,
        &change.row,
        change.stamp.as_deref(),
        &keep,
    )?;
    merge::record_stamps(tx, ctx, change, id, &keep)?;
    Ok(())
}
