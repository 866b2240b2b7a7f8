//! A job leaving this phone: reassigned to another engineer, it goes with its records and
//! whatever no remaining job here needs; if a change of it still waits for the server, it stays
//! in `pending_removals` until that change is answered (see [`apply_pull`](super::apply::apply_pull)).

use rusqlite::Transaction;
use uuid::Uuid;

use crate::error::{Entity, Result};

/// A job that left this engineer (reassigned): it goes, with its records, and so do the
/// history, customer, site, asset and contract no remaining job of theirs needs. A job a
/// remaining one follows stays (with its records), as the follow-up's link. A job with
/// changes still waiting stays (`false`): they were made after this round's push (or the server
/// never saw them) and must not be lost; the caller removes it once they are answered.
pub(super) fn remove_job(tx: &Transaction<'_>, id: Uuid) -> Result<bool> {
    let waiting: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE acked_at IS NULL AND
             (row_id = ?1 OR json_extract(payload, '$.work_order_id') = ?1))",
        [id.to_string()],
        |r| r.get(0),
    )?;
    if waiting {
        return Ok(false);
    }
    // The job, and the history of its asset unless another open job here still uses it.
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS leaving (id TEXT PRIMARY KEY); DELETE FROM leaving;",
    )?;
    tx.execute(
        "INSERT INTO leaving SELECT h.id FROM work_orders h, work_orders w
         WHERE w.id = ?1 AND (h.id = w.id OR (w.asset_id IS NOT NULL AND h.asset_id = w.asset_id
             AND h.status IN ('completed', 'cancelled', 'incomplete')
             AND NOT EXISTS (SELECT 1 FROM work_orders o WHERE o.asset_id = w.asset_id AND o.id <> w.id
                             AND o.status NOT IN ('completed', 'cancelled', 'incomplete'))))",
        [id.to_string()],
    )?;
    // What a remaining job still points at stays, whole: the visit a follow-up here follows
    // (deleting it would fail the page on the follow-up's link). Chains of follow-ups: repeat.
    while tx.execute(
        "DELETE FROM leaving WHERE id IN (SELECT follow_up_of FROM work_orders
             WHERE follow_up_of IS NOT NULL AND id NOT IN (SELECT id FROM leaving))",
        [],
    )? > 0
    {}
    for table in Entity::VISIT_RECORDS.iter().map(|e| e.table()) {
        tx.execute_batch(&format!(
            "DELETE FROM field_clocks WHERE row_id IN (SELECT id FROM {table} WHERE work_order_id IN (SELECT id FROM leaving));
             DELETE FROM {table} WHERE work_order_id IN (SELECT id FROM leaving);"
        ))?;
    }
    tx.execute_batch(
        "DELETE FROM field_clocks WHERE row_id IN (SELECT id FROM leaving);
         DELETE FROM work_orders WHERE id IN (SELECT id FROM leaving);
         DELETE FROM assets WHERE id NOT IN (SELECT asset_id FROM work_orders WHERE asset_id IS NOT NULL)
             AND id NOT IN (SELECT row_id FROM outbox WHERE acked_at IS NULL);
         DELETE FROM contracts WHERE id NOT IN (SELECT contract_id FROM assets WHERE contract_id IS NOT NULL)
             AND id NOT IN (SELECT row_id FROM outbox WHERE acked_at IS NULL);
         DELETE FROM sites WHERE id NOT IN (SELECT site_id FROM work_orders)
             AND id NOT IN (SELECT site_id FROM assets)
             AND id NOT IN (SELECT row_id FROM outbox WHERE acked_at IS NULL);
         DELETE FROM customers WHERE id NOT IN (SELECT customer_id FROM work_orders)
             AND id NOT IN (SELECT customer_id FROM sites)
             AND id NOT IN (SELECT customer_id FROM contracts)
             AND id NOT IN (SELECT row_id FROM outbox WHERE acked_at IS NULL);
         DELETE FROM leaving;",
    )?;
    Ok(true)
}

/// Removes the jobs that left this engineer once none of their changes waits any more (the
/// push before this pull answered them).
pub(super) fn remove_answered_jobs(tx: &Transaction<'_>) -> Result<()> {
    let ids: Vec<String> = tx
        .prepare_cached("SELECT work_order_id FROM pending_removals")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        let job = crate::store::columns::parse_uuid("pending_removals.work_order_id", id)?;
        if remove_job(tx, job)? {
            tx.prepare_cached("DELETE FROM pending_removals WHERE work_order_id = ?1")?
                .execute([job.to_string()])?;
        }
    }
    Ok(())
}
