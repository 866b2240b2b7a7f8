//! Every secondary index a store keeps is used (issue 10: indexes no query uses went). For
//! each, the query of the code that needs it, shaped as the code runs it (the function is
//! named), and `EXPLAIN QUERY PLAN` must show SQLite searching through that index. A new index
//! without a query here, or a query here whose index is gone, fails the test.
//!
//! Two indexes serve foreign keys rather than a query of ours: deleting a customer or a site
//! (a job leaving the phone, `sync::removal`) makes SQLite look for the rows that still point
//! at it, which without them is a scan of `sites` or `assets` per deleted row. Their query
//! here is the lookup SQLite's foreign-key check runs.

use onsite_core::Store;
use tempfile::TempDir;

/// (index, where the code needs it, the query).
const USES: &[(&str, &str, &str)] = &[
    (
        "sites_customer",
        "the foreign-key check when a job's customer leaves the phone (sync::removal)",
        "SELECT 1 FROM sites WHERE customer_id = ?1",
    ),
    (
        "assets_site",
        "the foreign-key check when a job's site leaves the phone (sync::removal)",
        "SELECT 1 FROM assets WHERE site_id = ?1",
    ),
    (
        "work_orders_window",
        "the day list (work_orders::queries::jobs_for_day)",
        "SELECT w.id FROM work_orders w JOIN customers c ON c.id = w.customer_id
         JOIN sites s ON s.id = w.site_id LEFT JOIN assets a ON a.id = w.asset_id
         WHERE w.window_start >= ?1 AND w.window_start < ?2 AND w.window_end > ?3
         ORDER BY w.window_start, w.number",
    ),
    (
        "work_orders_asset",
        "the appliance's earlier visits on the job screen (work_orders::queries::history)",
        "SELECT id FROM work_orders WHERE asset_id = ?1 AND window_start < ?2 AND id <> ?3
         ORDER BY window_start DESC LIMIT ?4",
    ),
    (
        "work_orders_follow_up",
        "the visits a follow-up still needs when a job leaves (sync::removal::remove_job)",
        "SELECT follow_up_of FROM work_orders WHERE follow_up_of IS NOT NULL",
    ),
    (
        "outbox_waiting",
        "a pulled row's fields with a pending local change (sync::pull_page::pending_fields)",
        "SELECT op, payload FROM outbox WHERE acked_at IS NULL AND entity = ?1 AND row_id = ?2",
    ),
    (
        "conflicts_unseen",
        "the unseen conflicts, newest first (conflicts::list)",
        "SELECT id FROM conflicts WHERE seen_at IS NULL ORDER BY occurred_at DESC, id DESC",
    ),
];

/// Visit records are read by their job on the job screen and in the report (each kind's list
/// function, e.g. `visit::findings::notes`).
const RECORDS_BY_JOB: &[&str] = &[
    "status_changes",
    "diagnoses",
    "measurements",
    "checklist_results",
    "notes",
    "time_entries",
    "part_lines",
    "quote_lines",
    "quote_decisions",
    "function_tests",
    "signoffs",
];

fn plan(store: &Store, sql: &str) -> String {
    store
        .read(|c| {
            let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            // The plan does not depend on the values: NULL for each.
            let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
            let lines = stmt
                .query_map(rusqlite::params_from_iter(nulls), |r| {
                    r.get::<_, String>("detail")
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(lines.join("\n"))
        })
        .expect("the query plans")
}

#[test]
fn every_secondary_index_is_what_its_query_searches_through() {
    let dir = TempDir::new().expect("temp dir");
    let store = Store::open(dir.path().join("plans.db")).expect("store");
    let mut uses: Vec<(String, String, String)> = USES
        .iter()
        .map(|(i, why, sql)| ((*i).to_owned(), (*why).to_owned(), (*sql).to_owned()))
        .collect();
    for table in RECORDS_BY_JOB {
        let index = format!("{table}_wo");
        uses.push((
            index,
            format!("{table} of one job (job screen, report)"),
            format!("SELECT * FROM {table} WHERE work_order_id = ?1 ORDER BY row_stamp"),
        ));
    }
    for (index, why, sql) in &uses {
        let plan = plan(&store, sql);
        assert!(
            plan.contains(&format!("USING INDEX {index} "))
                || plan.contains(&format!("USING COVERING INDEX {index} "))
                || plan.ends_with(&format!("USING INDEX {index}"))
                || plan.ends_with(&format!("USING COVERING INDEX {index}")),
            "{index} ({why}) is not what SQLite searches through:\n{plan}"
        );
    }
    let mut kept: Vec<String> = store
        .read(|c| {
            Ok(c.prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .expect("the indexes");
    kept.sort();
    let mut checked: Vec<String> = uses.into_iter().map(|(i, _, _)| i).collect();
    checked.sort();
    assert_eq!(
        kept, checked,
        "every index a store keeps has its query here"
    );
}
