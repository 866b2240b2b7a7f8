//! What the fault harness found, each reduced to a deterministic test. A new finding goes in
//! here `#[ignore]`d until its fix, which removes the `ignore`; both below are fixed (a
//! re-opened visit leaves other engineers' history, `db::log_visit_status`; a removal keeps
//! the visit a remaining follow-up follows, `sync/removal.rs`).

use chrono::{Duration, Utc};
use onsite_core::Store;
use onsite_core::sync::client::SyncClient;
use onsite_core::work_orders::status::{Role, Status};
use onsite_tests::scenario::{World, dispatch, world};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

/// eng-a's phone with job `number` (dispatched to eng-a) left incomplete and synced; returns
/// the job, the phone, its client and the job as the office lists it.
fn left_incomplete(w: &World, dir: &TempDir, number: &str) -> (Uuid, Store, SyncClient, Value) {
    let job = dispatch(&w.dispatcher, number, "eng-a");
    let a = Store::open(dir.path().join("a.db")).expect("store a");
    let client_a = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client a");
    client_a.sync_now(&a).expect("a gets the job");
    for to in [Status::Accepted, Status::OnSite] {
        a.set_status(job, to, Role::Engineer, None).expect("move");
    }
    a.set_status(
        job,
        Status::Incomplete,
        Role::Engineer,
        Some("Part on order".into()),
    )
    .expect("incomplete");
    client_a.sync_now(&a).expect("a pushes");
    let wo = w
        .dispatcher
        .get("/v1/work-orders?engineer=eng-a")
        .as_array()
        .expect("list")[0]
        .clone();
    (job, a, client_a, wo)
}

/// Fault harness, seed 777 (`ONSITE_HARNESS_DEVICES=6 ONSITE_HARNESS_KILLS=300
/// ONSITE_HARNESS_SERVER_KILLS=20`, epoch 2): a device held another engineer's job, with every
/// record of it, as "incomplete" history after the office had booked it again (incomplete ->
/// assigned) and its engineer had accepted it. The visit is no longer over, so it left the
/// other engineer's asset history, but nothing told their phone: the job stayed there, stale,
/// for good (fixed: `db::log_visit_status` logs its removal for them).
#[test]
fn a_reopened_visit_leaves_the_other_engineers_history() {
    let w = world();
    let dir = TempDir::new().expect("temp dir");
    let (job, _a, _client_a, wo) = left_incomplete(&w, &dir, "WO-R1");
    let b = Store::open(dir.path().join("b.db")).expect("store b");
    let client_b = SyncClient::new(&w.server.url, &w.tokens[1]).expect("client b");

    // Another visit to the same appliance, for eng-b: eng-a's visit is its history.
    let start = Utc::now();
    w.dispatcher.post(
        "/v1/work-orders",
        json!({ "number": "WO-R2", "kind": "repair", "priority": "high",
                "customer_id": wo["customer_id"], "site_id": wo["site_id"], "asset_id": wo["asset_id"],
                "fault": { "symptom": "Still leaks" },
                "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                "assignee": "eng-b" }),
    );
    client_b.sync_now(&b).expect("b gets its job");
    assert_eq!(
        b.find_work_order(&job.to_string()).expect("history").status,
        Status::Incomplete,
        "eng-a's finished visit is eng-b's history"
    );

    // The office books eng-a's visit again: it is open, so no longer anyone's history.
    w.dispatcher.post(
        &format!("/v1/work-orders/{job}/status"),
        json!({ "to": "assigned" }),
    );
    client_b.sync_now(&b).expect("b syncs");
    let held = b.find_work_order(&job.to_string()).ok().map(|wo| wo.status);
    assert_eq!(
        held, None,
        "an open visit of another engineer is not on eng-b's phone (it holds it as {held:?})"
    );
}

/// Fault harness, seed 777 (`ONSITE_HARNESS_EPOCHS=8 ONSITE_HARNESS_KILLS=300
/// ONSITE_HARNESS_SERVER_KILLS=20 ONSITE_HARNESS_DEVICES=6`, epoch 4): a device's every sync
/// failed with "FOREIGN KEY constraint failed" from then on. Its engineer had a follow-up of
/// their own unfinished visit; the office re-opened that visit and gave it to another
/// engineer, so the pull removed it from the phone while the follow-up still pointed at it
/// (fixed: a removal keeps the visit a remaining follow-up follows).
#[test]
fn a_visit_a_follow_up_points_at_can_leave_the_phone() {
    let w = world();
    let dir = TempDir::new().expect("temp dir");
    let (job, a, client_a, wo) = left_incomplete(&w, &dir, "WO-F1");
    let start = Utc::now();
    w.dispatcher.post(
        "/v1/work-orders",
        json!({ "number": "WO-F2", "kind": "repair", "priority": "high",
                "customer_id": wo["customer_id"], "site_id": wo["site_id"], "asset_id": wo["asset_id"],
                "fault": { "symptom": "Fit the ordered part" },
                "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                "assignee": "eng-a", "follow_up_of": job }),
    );
    client_a.sync_now(&a).expect("a gets the follow-up");

    // The office books the first visit again and gives it to eng-b.
    w.dispatcher.post(
        &format!("/v1/work-orders/{job}/status"),
        json!({ "to": "assigned" }),
    );
    w.dispatcher.post(
        &format!("/v1/work-orders/{job}/assign"),
        json!({ "engineer": "eng-b" }),
    );
    let round = client_a.sync_now(&a);
    assert!(
        round.is_ok(),
        "eng-a's phone still syncs: {:?}",
        round.err()
    );
}
