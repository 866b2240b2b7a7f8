//! The engineer's screens: today's list, job detail with history, pending count, conflict log.

use chrono::{Duration, TimeZone, Utc};
use onsite_core::Entity;
use onsite_core::assets::Coverage;
use onsite_core::conflicts::{self, Kept, NewConflict};
use onsite_core::work_orders::status::Status;

use crate::fixture::{Fixture, add_job, now, seeded, today};

#[test]
fn todays_jobs_are_the_days_appointments_in_order() {
    let (_dir, store, summary) = seeded(20, 1);
    let jobs = store.todays_jobs(0).expect("today");
    assert_eq!(jobs.len(), 6);
    assert_eq!(
        jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
        summary.work_order_ids[..6].to_vec()
    );
    assert!(
        jobs.windows(2)
            .all(|w| w[0].window_start <= w[1].window_start)
    );
    assert!(
        jobs.iter().all(|j| j.status == Status::Assigned
            && j.asset.is_some()
            && !j.customer_name.is_empty())
    );
    let tomorrow = store
        .jobs_for_day(today() + Duration::days(1), 0)
        .expect("tomorrow");
    assert_eq!(tomorrow.len(), 6);
    assert!(tomorrow.iter().all(|j| !jobs.iter().any(|t| t.id == j.id)));
}

#[test]
fn the_day_is_the_engineers_local_day() {
    let f = Fixture::new();
    let late = Utc
        .with_ymd_and_hms(2026, 11, 23, 23, 30, 0)
        .single()
        .expect("time");
    let late_job = add_job(&f.store, "WO-LATE", late, None);
    let in_utc: Vec<_> = f
        .store
        .jobs_for_day(today(), 0)
        .expect("utc")
        .into_iter()
        .map(|j| j.number)
        .collect();
    assert_eq!(in_utc, ["WO-1", "WO-LATE"]);
    // In UTC+2 the 23:30 UTC appointment starts at 01:30 on the 24th, yet still overlaps the 23rd.
    let berlin_next_day: Vec<_> = f
        .store
        .jobs_for_day(today() + Duration::days(1), 120)
        .expect("next")
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(berlin_next_day, [late_job.id]);
    // In UTC-10 WO-1 (10:00-12:00 UTC) is on the 23rd local too (00:00-02:00), WO-LATE on the 23rd.
    assert_eq!(
        f.store.jobs_for_day(today(), -600).expect("hawaii").len(),
        2
    );
    assert!(
        f.store
            .jobs_for_day(today() - Duration::days(1), 0)
            .expect("yesterday")
            .is_empty()
    );
}

#[test]
fn job_detail_has_customer_site_asset_coverage_and_earlier_visits() {
    let (_dir, store, summary) = seeded(3, 3);
    let detail = store.job_detail(summary.work_order_ids[0]).expect("detail");
    assert_eq!(detail.site.customer_id, detail.customer.id);
    let asset = detail.asset.as_ref().expect("asset");
    assert_eq!(detail.work_order.asset_id, Some(asset.id));
    assert_eq!(detail.history.len(), 3);
    assert!(
        detail.history.windows(2).all(|w| w[0].date > w[1].date),
        "newest first"
    );
    for visit in &detail.history {
        assert_eq!(visit.status, Status::Completed);
        assert_eq!(visit.diagnoses.len(), 1);
        assert_eq!(visit.parts.len(), 1);
        assert!(visit.date < detail.work_order.window.start);
    }
    assert_eq!(detail.next_statuses, [Status::New, Status::Accepted]);
    let expected = Coverage::at(
        Some(asset),
        detail.contract.as_ref(),
        detail.work_order.window.start.date_naive(),
    );
    assert_eq!(detail.coverage, expected);
}

#[test]
fn coverage_follows_the_warranty_at_the_visit_date() {
    let f = Fixture::new();
    let warranty = add_job(
        &f.store,
        "WO-W",
        now() + Duration::hours(3),
        Some("2027-01-31"),
    );
    assert!(matches!(
        f.store.job_detail(warranty.id).expect("detail").coverage,
        Coverage::Warranty { .. }
    ));
    assert_eq!(
        f.store.job_detail(f.job.id).expect("detail").coverage,
        Coverage::Chargeable
    );
}

#[test]
fn pending_count_counts_local_actions_only() {
    let (_dir, seeded_store, _) = seeded(2, 1);
    assert_eq!(
        seeded_store.pending_sync_count().expect("count"),
        0,
        "seeded data came from elsewhere"
    );
    let f = Fixture::new();
    assert_eq!(
        f.store.pending_sync_count().expect("count"),
        4,
        "customer, site, asset, work order"
    );
    f.arrive();
    assert_eq!(f.store.pending_sync_count().expect("count"), 7);
}

#[test]
fn the_conflict_log_lists_unseen_entries_and_marks_them_seen() {
    let f = Fixture::new();
    assert!(f.store.conflicts(true).expect("empty log").is_empty());
    let id = f
        .store
        .import(|tx, _| {
            conflicts::log(
                tx,
                now(),
                NewConflict {
                    entity: Entity::WorkOrder,
                    row_id: f.job.id,
                    field: Some("window_start".into()),
                    local_value: Some("\"2026-11-23T10:00:00.000Z\"".into()),
                    remote_value: Some("\"2026-11-24T10:00:00.000Z\"".into()),
                    kept: Kept::Remote,
                    reason: "The dispatcher rescheduled the job".into(),
                },
            )
        })
        .expect("logged");
    let unseen = f.store.conflicts(false).expect("log");
    assert_eq!(unseen.len(), 1);
    assert_eq!(
        (unseen[0].id, unseen[0].kept, unseen[0].seen_at),
        (id, Kept::Remote, None)
    );
    f.store.mark_conflict_seen(id).expect("seen");
    f.store.mark_conflict_seen(id).expect("seen twice is fine");
    assert!(f.store.conflicts(false).expect("log").is_empty());
    assert_eq!(
        f.store.conflicts(true).expect("log")[0].seen_at,
        Some(now())
    );
}
