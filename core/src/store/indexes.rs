//! The secondary indexes a first sync builds once, at its end, instead of row by row.
//!
//! A first sync writes hundreds of thousands of rows whose keys (ids, the job they belong to)
//! arrive in no useful order: keeping an index up to date means a random b-tree insert per row
//! per index, which was most of what applying a page cost. Into an empty store, the indexes
//! below are dropped when the first page arrives and built by sorting when the last page is
//! applied (in that page's transaction). Every query still answers meanwhile, by scanning.
//! Whatever stops a first sync half way, the next [`super::Store::open`] builds them again.
//!
//! Not here: the primary keys and unique indexes (a pulled row meets its earlier copy through
//! them) and the partial follow-up index (a removal on a page asks it).

use rusqlite::Connection;

use crate::error::Result;

/// Each deferrable index: its name and what it indexes, exactly as `schema.sql` creates it.
const DEFERRABLE: &[(&str, &str)] = &[
    ("sites_customer", "sites(customer_id)"),
    ("assets_site", "assets(site_id)"),
    ("work_orders_window", "work_orders(window_start)"),
    ("work_orders_asset", "work_orders(asset_id, window_start)"),
    ("status_changes_wo", "status_changes(work_order_id)"),
    ("diagnoses_wo", "diagnoses(work_order_id)"),
    ("measurements_wo", "measurements(work_order_id)"),
    ("checklist_results_wo", "checklist_results(work_order_id)"),
    ("notes_wo", "notes(work_order_id)"),
    ("time_entries_wo", "time_entries(work_order_id)"),
    ("part_lines_wo", "part_lines(work_order_id)"),
    ("quote_lines_wo", "quote_lines(work_order_id)"),
    ("quote_decisions_wo", "quote_decisions(work_order_id)"),
    ("function_tests_wo", "function_tests(work_order_id)"),
    ("signoffs_wo", "signoffs(work_order_id)"),
];

/// Drops the deferrable indexes (a first sync into an empty store is starting).
pub fn drop_deferrable(conn: &Connection) -> Result<()> {
    for (name, _) in DEFERRABLE {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
    }
    Ok(())
}

/// Builds every deferrable index that is missing; does nothing when none is.
pub fn ensure(conn: &Connection) -> Result<()> {
    let present: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ({})",
            DEFERRABLE
                .iter()
                .map(|(name, _)| format!("'{name}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        [],
        |r| r.get(0),
    )?;
    if usize::try_from(present).is_ok_and(|n| n == DEFERRABLE.len()) {
        return Ok(());
    }
    for (name, on) in DEFERRABLE {
        conn.execute_batch(&format!("CREATE INDEX IF NOT EXISTS {name} ON {on}"))?;
    }
    tracing::info!(missing = DEFERRABLE.len() as i64 - present, "indexes built");
    Ok(())
}
