//! The outbox over time: acknowledged entries are dropped after their keeping time, waiting
//! ones never; the lookup every pulled row makes uses its index.

use chrono::Duration;
use onsite_core::clock::format_time;
use onsite_core::sync::apply::{ACKED_KEPT_DAYS, record_success};

use crate::fixture::{Fixture, now};

fn outbox_rows(f: &Fixture) -> (i64, i64) {
    f.store
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FILTER (WHERE acked_at IS NULL), count(*) FILTER (WHERE acked_at IS NOT NULL) FROM outbox",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .expect("count")
}

#[test]
fn acknowledged_entries_go_after_their_keeping_time_and_waiting_ones_stay() {
    let f = Fixture::new();
    f.arrive();
    for body in ["old", "recent", "waiting"] {
        f.store.add_note(f.job.id, body.into()).expect("note");
    }
    let old = format_time(now() - Duration::days(ACKED_KEPT_DAYS + 1));
    let recent = format_time(now() - Duration::days(1));
    f.store
        .import(|tx, _| {
            // Everything but the last note was acknowledged: most of it long ago.
            let last: i64 = tx.query_row("SELECT max(seq) FROM outbox", [], |r| r.get(0))?;
            tx.execute(
                "UPDATE outbox SET acked_at = ?1 WHERE seq < ?2 - 1",
                (&old, last),
            )?;
            tx.execute(
                "UPDATE outbox SET acked_at = ?1 WHERE seq = ?2 - 1",
                (&recent, last),
            )?;
            Ok(())
        })
        .expect("acknowledged");
    let (waiting, acked) = outbox_rows(&f);
    assert_eq!(waiting, 1);
    assert!(acked > 1);
    f.store
        .import(|tx, ctx| record_success(tx, ctx.now()))
        .expect("a round ends");
    assert_eq!(outbox_rows(&f), (1, 1), "the old acknowledged entries went");
}

#[test]
fn the_waiting_change_lookup_of_each_pulled_row_uses_its_index() {
    let f = Fixture::new();
    let plan: Vec<String> = f
        .store
        .read(|c| {
            let mut stmt = c.prepare(
                "EXPLAIN QUERY PLAN SELECT op, payload FROM outbox
                 WHERE acked_at IS NULL AND entity = ?1 AND row_id = ?2",
            )?;
            let rows = stmt.query_map(("note", "x"), |r| r.get::<_, String>(3))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .expect("plan");
    assert!(
        plan.iter()
            .any(|step| step.contains("USING INDEX outbox_waiting")),
        "{plan:?}"
    );
}
