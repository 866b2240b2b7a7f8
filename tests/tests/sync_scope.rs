//! What an engineer's phone receives: their jobs, and of the other engineers' jobs on the same
//! appliance only the visits that are over (asset history), complete with their records, even
//! though those records were written while the visit was still open.

use chrono::{Duration, Utc};
use onsite_core::sync::client::SyncClient;
use onsite_core::{Error, Store};
use onsite_tests::complete_visit;
use onsite_tests::scenario::{dispatch, pull_only, world};
use serde_json::json;
use tempfile::TempDir;
use uuid::Uuid;

#[test]
fn another_engineers_open_job_stays_off_the_phone_until_it_is_history() {
    let w = world();
    let theirs = dispatch(&w.dispatcher, "WO-A", "eng-a");
    let list = w.dispatcher.get("/v1/work-orders");
    let a_job = &list.as_array().expect("list")[0];
    let start = Utc::now() + Duration::hours(3);
    let mine: Uuid = w.dispatcher.post(
        "/v1/work-orders",
        json!({ "number": "WO-B", "kind": "maintenance", "priority": "normal",
                "customer_id": a_job["customer_id"], "site_id": a_job["site_id"],
                "asset_id": a_job["asset_id"], "fault": { "symptom": "Yearly service" },
                "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                "assignee": "eng-b" }),
    )["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");

    let dir = TempDir::new().expect("temp dir");
    let a = Store::open(dir.path().join("a.db")).expect("a");
    let b = Store::open(dir.path().join("b.db")).expect("b");
    let client_a = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    let client_b = SyncClient::new(&w.server.url, &w.tokens[1]).expect("client");
    client_a.sync_now(&a).expect("a");
    client_b.sync_now(&b).expect("b");
    assert!(b.job_detail(mine).is_ok());
    assert!(
        matches!(b.find_work_order("WO-A"), Err(Error::NotFound { .. })),
        "eng-a's open job is not eng-b's business"
    );

    complete_visit(&a, theirs);
    client_a.sync_now(&a).expect("a uploads the visit");
    client_b.sync_now(&b).expect("b");
    let history = b.job_detail(mine).expect("job").history;
    assert_eq!(history.len(), 1, "{history:?}");
    let record = b
        .visit_record(theirs)
        .expect("the finished visit is history now");
    assert_eq!(
        record.parts.len(),
        1,
        "with the records written while it was open"
    );
    assert_eq!(record.diagnoses.len(), 1);
    assert!(record.sign_off.is_some());
    assert_eq!(
        b.service_report(theirs).expect("report").sha256,
        a.service_report(theirs).expect("report").sha256,
        "the same report on both phones"
    );
}

/// A job is reassigned while its engineer adds a record between the push half and the pull half
/// of a round: the pull must not drop that record, and the job must still leave the phone once
/// the server has answered it (before, the removal was passed over and the job stayed for good).
#[test]
fn a_job_reassigned_while_a_record_waits_leaves_once_the_record_is_answered() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-R", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let a = Store::open(dir.path().join("a.db")).expect("a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    client.sync_now(&a).expect("a gets the job");
    w.dispatcher.post(
        &format!("/v1/work-orders/{job}/assign"),
        json!({ "engineer": "eng-b" }),
    );
    // The push half has run (nothing waited); now the engineer adds a note, then the pull half.
    a.add_note(job, "Customer called: parts arrive Friday".into())
        .expect("note offline");
    let page = pull_only(&w, 0, &a);
    assert!(
        page.changes.iter().any(|c| c.removed),
        "the removal is on the page"
    );
    assert!(
        a.visit_record(job).is_ok(),
        "the waiting note keeps the job"
    );

    let round = client.sync_now(&a).expect("the next round");
    assert_eq!(
        (round.push.rejected, round.pending),
        (1, 0),
        "the note was answered (refused: the job is eng-b's)"
    );
    assert!(
        matches!(a.visit_record(job), Err(Error::NotFound { .. })),
        "the job left eng-a's phone"
    );
    let log = a.conflicts(false).expect("log");
    assert!(
        log.iter().any(|c| c
            .local_value
            .as_deref()
            .unwrap_or_default()
            .contains("parts arrive Friday")),
        "the refused note is in the conflict log: {log:?}"
    );
}

/// The office takes a job away and gives it back before the phone pulls, while a change of it
/// waits: the page holds the removal and then the job again, and the job stays on the phone.
#[test]
fn a_job_taken_away_and_given_back_in_one_page_stays() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-S", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let a = Store::open(dir.path().join("a.db")).expect("a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    client.sync_now(&a).expect("a gets the job");
    for engineer in ["eng-b", "eng-a"] {
        w.dispatcher.post(
            &format!("/v1/work-orders/{job}/assign"),
            json!({ "engineer": engineer }),
        );
    }
    a.add_note(job, "Parts ordered".into())
        .expect("note offline");
    let page = pull_only(&w, 0, &a);
    let removal = page.changes.iter().position(|c| c.removed);
    let back = page
        .changes
        .iter()
        .rposition(|c| !c.removed && c.row["id"] == json!(job));
    assert!(
        removal < back && removal.is_some(),
        "the page removes the job, then gives it back"
    );
    let round = client.sync_now(&a).expect("the next round");
    assert_eq!((round.push.rejected, round.pending), (0, 0), "{round:?}");
    client.sync_now(&a).expect("one more round");
    let visit = a
        .visit_record(job)
        .expect("the job is still on eng-a's phone");
    assert!(visit.notes.iter().any(|n| n.body == "Parts ordered"));
}
