//! A row the store cannot read back is reported with its job, never its value, and the rest of
//! the store keeps working (issue 9, must-have 2). The row is damaged with raw SQL in the
//! store's own file, as a foreign writer or an older build would leave it.

use chrono::Duration;
use onsite_core::Error;

use crate::fixture::{Fixture, add_job, now};

const BAD_TIME: &str = "2026-13-45T99:99:99Z";

fn damage(f: &Fixture, sql: &str) {
    let conn = rusqlite::Connection::open(f.dir.path().join("eng.db")).expect("raw connection");
    assert_eq!(conn.execute(sql, []).expect("raw update"), 1);
}

#[test]
fn todays_list_names_the_unreadable_job_and_lists_the_others() {
    let f = Fixture::new();
    let other = add_job(&f.store, "WO-2", now() + Duration::hours(3), None);
    damage(
        &f,
        &format!("UPDATE work_orders SET window_end = '{BAD_TIME}' WHERE number = 'WO-1'"),
    );

    let list = f.store.todays_list(0).expect("the list still reads");
    let listed: Vec<_> = list.jobs.iter().map(|j| j.id).collect();
    assert_eq!(listed, [other.id]);
    assert_eq!(list.unreadable.len(), 1, "{list:?}");
    let bad = &list.unreadable[0];
    assert_eq!(bad.work_order_id, Some(f.job.id));
    assert_eq!(bad.number.as_deref(), Some("WO-1"));
    assert_eq!(
        (bad.table.as_str(), bad.column.as_str()),
        ("work_orders", "window_end")
    );
    assert_eq!(
        f.store
            .todays_jobs(0)
            .expect("the plain list reads too")
            .len(),
        1
    );

    match f.store.job_detail(f.job.id) {
        Err(
            ref err @ Error::Unreadable {
                table,
                ref column,
                work_order_id,
            },
        ) => {
            assert_eq!(
                (table, column.as_str(), work_order_id),
                ("work_orders", "window_end", f.job.id)
            );
            assert!(
                !err.to_string().contains(BAD_TIME),
                "never the value: {err}"
            );
            assert_eq!(err.code(), "unreadable");
        }
        other => panic!("expected Unreadable, got {other:?}"),
    }
    assert!(
        f.store.job_detail(other.id).is_ok(),
        "the other job still opens"
    );
    assert!(f.store.visit_record(other.id).is_ok());
    assert!(matches!(
        f.store.visit_record(f.job.id),
        Err(Error::Unreadable { .. })
    ));
}

#[test]
fn a_damaged_asset_is_reported_with_the_job_that_shows_it() {
    let f = Fixture::new();
    damage(
        &f,
        &format!(
            "UPDATE assets SET warranty_ends_on = '2026-02-30' WHERE id = '{}'",
            f.job.asset_id.expect("the fixture's job has an asset")
        ),
    );
    match f.store.job_detail(f.job.id) {
        Err(Error::Unreadable {
            table,
            work_order_id,
            ..
        }) => assert_eq!((table, work_order_id), ("assets", f.job.id)),
        other => panic!("expected Unreadable, got {other:?}"),
    }
}
