//! Concurrent offline edits converge. Two engineers and the dispatcher edit the same site, the
//! same asset and the same job while the engineers are offline; the engineers then sync in one
//! order, and in a fresh world in the other order. Both runs must end in the same state on the
//! server and on both phones, with the same conflict-log entries: the latest edit of a field
//! wins, the dispatcher's cancel beats work recorded offline afterwards, and every losing value
//! is in a conflict log.

use std::sync::Arc;

use chrono::{Duration, TimeDelta, Utc};
use onsite_core::Store;
use onsite_core::clock::ManualClock;
use onsite_core::conflicts::{Conflict, Kept};
use onsite_core::sync::client::SyncClient;
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::{Entity, Error};
use onsite_tests::scenario::{World, pull_only, world};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

const A_NOTES: &str = "Gate code 1234";
const DISPATCH_NOTES: &str = "Call 10 minutes ahead";
const B_NOTES: &str = "Gate code changed to 9876, dog in garden";
const A_SERIAL: &str = "MI31192375";
const DISPATCH_SERIAL: &str = "MI-31192375-B";

struct Ids {
    site: Uuid,
    asset_x: Uuid,
    job_a: Uuid,
    job_b: Uuid,
}

fn id(v: &Value) -> Uuid {
    v["id"].as_str().expect("id").parse().expect("uuid")
}

/// One customer and site with two appliances; eng-a's job is for the washing machine, eng-b's
/// for the dishwasher at the same address.
fn setup(w: &World) -> Ids {
    let office = &w.dispatcher;
    let customer = office.post("/v1/customers", json!({ "name": "Anna Berg" }));
    let site = office.post(
        &format!("/v1/customers/{}/sites", id(&customer)),
        json!({ "address": "Lindenallee 3, 50968 Köln", "access_notes": "Ring twice" }),
    );
    let asset = |model: &str, serial: &str| {
        office.post(
            &format!("/v1/sites/{}/assets", id(&site)),
            json!({ "kind": "appliance", "category": "washing machine", "brand": "Miele",
                    "model": model, "serial": serial }),
        )
    };
    let x = asset("WWD320", "MI31192374");
    let y = asset("G7100", "MI55510020");
    let start = Utc::now() - Duration::minutes(30);
    let job = |number: &str, asset: &Value, engineer: &str| {
        id(&office.post(
            "/v1/work-orders",
            json!({ "number": number, "kind": "repair", "priority": "normal",
                    "customer_id": id(&customer), "site_id": id(&site), "asset_id": id(asset),
                    "fault": { "symptom": "Does not drain" },
                    "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                    "assignee": engineer }),
        ))
    };
    Ids {
        site: id(&site),
        asset_x: id(&x),
        job_a: job("WO-1", &x, "eng-a"),
        job_b: job("WO-2", &y, "eng-b"),
    }
}

fn edit(store: &Store, entity: Entity, row: Uuid, field: &str, value: &str) {
    let changes = [(field.to_owned(), Some(value.to_owned()))].into();
    store
        .edit_fields(entity, row, changes, Role::Engineer)
        .expect("edit on the phone");
}

fn field(store: &Store, entity: Entity, row: Uuid, name: &str) -> Value {
    let row = store
        .read(|c| onsite_core::sync::rows::read_row(c, entity, row))
        .expect("read")
        .expect("row on the phone");
    row[name].clone()
}

/// What one run ends with: values everywhere and the conflict logs, order-independent parts.
#[derive(Debug, PartialEq)]
struct Outcome {
    server_site_notes: Value,
    server_serial: Value,
    phones: Vec<(Value, Value)>,
    job_a_status: Status,
    b_window_start: Value,
    a_conflicts: Vec<(Option<String>, Option<String>, Kept)>,
    b_conflicts: usize,
    server_conflicts: Vec<(Option<String>, Option<String>, Kept)>,
}

fn summary(log: &[Conflict]) -> Vec<(Option<String>, Option<String>, Kept)> {
    let mut out: Vec<_> = log
        .iter()
        .map(|c| {
            let lost = match (c.field.is_some(), c.kept) {
                (true, Kept::Remote) => c.local_value.clone(),
                (true, Kept::Local) => c.remote_value.clone(),
                (false, _) => None,
            };
            (c.field.clone(), lost, c.kept)
        })
        .collect();
    out.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    out
}

fn run(b_first: bool) -> Outcome {
    let w = world();
    let ids = setup(&w);
    let dir = TempDir::new().expect("temp dir");
    let clock_a = Arc::new(ManualClock::new(Utc::now()));
    let clock_b = Arc::new(ManualClock::new(Utc::now()));
    let a = Store::open_with_clock(dir.path().join("a.db"), clock_a.clone()).expect("a");
    let b = Store::open_with_clock(dir.path().join("b.db"), clock_b.clone()).expect("b");
    let client_a = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    let client_b = SyncClient::new(&w.server.url, &w.tokens[1]).expect("client");
    client_a.sync_now(&a).expect("a gets the job");
    client_b.sync_now(&b).expect("b gets the job");

    // Offline, in this order: eng-a corrects the site and the serial and starts the job...
    edit(&a, Entity::Site, ids.site, "access_notes", A_NOTES);
    edit(&a, Entity::Asset, ids.asset_x, "serial", A_SERIAL);
    a.set_status(ids.job_a, Status::Accepted, Role::Engineer, None)
        .expect("accept");
    a.set_status(ids.job_a, Status::EnRoute, Role::Engineer, None)
        .expect("drive");
    a.add_note(
        ids.job_a,
        "Customer says it started after a power cut".into(),
    )
    .expect("note");
    // ...the office edits the same fields, cancels eng-a's job and moves eng-b's...
    let office = &w.dispatcher;
    office.patch(
        &format!("/v1/sites/{}", ids.site),
        json!({ "access_notes": DISPATCH_NOTES }),
    );
    office.patch(
        &format!("/v1/assets/{}", ids.asset_x),
        json!({ "serial": DISPATCH_SERIAL }),
    );
    office.post(
        &format!("/v1/work-orders/{}/status", ids.job_a),
        json!({ "to": "cancelled", "reason": "Customer bought a new machine" }),
    );
    let new_start = Utc::now() + Duration::days(1);
    office.patch(
        &format!("/v1/work-orders/{}", ids.job_b),
        json!({ "window_start": new_start, "window_end": new_start + Duration::hours(2) }),
    );
    // ...and eng-b, last of all (their phone's clock runs two minutes ahead, inside the
    // server's tolerance), rewrites the access notes. The dispatcher's fields are not theirs.
    clock_b.advance(TimeDelta::minutes(2));
    edit(&b, Entity::Site, ids.site, "access_notes", B_NOTES);
    let refused = b.edit_fields(
        Entity::WorkOrder,
        ids.job_b,
        [("priority".to_owned(), Some("emergency".to_owned()))].into(),
        Role::Engineer,
    );
    assert!(
        matches!(refused, Err(Error::NotPermitted { .. })),
        "{refused:?}"
    );

    let rounds: [(&SyncClient, &Store); 4] = if b_first {
        [
            (&client_b, &b),
            (&client_a, &a),
            (&client_b, &b),
            (&client_a, &a),
        ]
    } else {
        [
            (&client_a, &a),
            (&client_b, &b),
            (&client_a, &a),
            (&client_b, &b),
        ]
    };
    for (client, store) in rounds {
        let report = client.sync_now(store).expect("sync");
        assert_eq!(report.pending, 0, "everything was answered");
    }

    let server_conflicts: Vec<Conflict> =
        serde_json::from_value(office.get("/v1/conflicts")).expect("conflict list");
    let serial_on_server = &server_row(&w, Entity::Asset, ids.asset_x)["serial"];
    let phones = [&a, &b]
        .iter()
        .map(|s| {
            (
                field(s, Entity::Site, ids.site, "access_notes"),
                s.read(|c| onsite_core::sync::rows::read_row(c, Entity::Asset, ids.asset_x))
                    .expect("read")
                    .map_or(Value::Null, |r| r["serial"].clone()),
            )
        })
        .collect();
    // eng-a's refused work is taken back on their phone (it is kept in their conflict log):
    // the job's history is the server's, and the note on the cancelled job is gone.
    let record = a.visit_record(ids.job_a).expect("record");
    assert!(record.notes.is_empty(), "{:?}", record.notes);
    let history: Vec<Status> = record.status_changes.iter().map(|c| c.to).collect();
    assert_eq!(history, [Status::Cancelled], "only the server's change");

    Outcome {
        server_site_notes: server_row(&w, Entity::Site, ids.site)["access_notes"].clone(),
        server_serial: serial_on_server.clone(),
        phones,
        job_a_status: a.job_detail(ids.job_a).expect("job").work_order.status,
        b_window_start: field(&b, Entity::WorkOrder, ids.job_b, "window_start"),
        a_conflicts: summary(&a.conflicts(true).expect("log")),
        b_conflicts: b.conflicts(true).expect("log").len(),
        server_conflicts: summary(&server_conflicts),
    }
    .normalise_window(&new_start)
}

/// eng-a's phone, signed in and synced once (it holds its job).
fn eng_a_synced(w: &World) -> (TempDir, Store, SyncClient) {
    let dir = TempDir::new().expect("temp dir");
    let a = Store::open(dir.path().join("a.db")).expect("a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    client.sync_now(&a).expect("a gets the job");
    (dir, a, client)
}

/// A row as the server holds it, read from its database file (read-only, while it runs).
fn server_row(w: &World, entity: Entity, id: Uuid) -> serde_json::Map<String, Value> {
    let path = w.dir.path().join("server").join("onsite-server.db");
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("server db");
    onsite_core::sync::rows::read_row(&conn, entity, id)
        .expect("read")
        .expect("row on the server")
}

impl Outcome {
    fn normalise_window(mut self, new_start: &chrono::DateTime<Utc>) -> Outcome {
        let moved = self.b_window_start.as_str().map(|s| {
            s.parse::<chrono::DateTime<Utc>>()
                .expect("time")
                .timestamp_millis()
                == new_start.timestamp_millis()
        });
        self.b_window_start = Value::Bool(moved == Some(true));
        self
    }
}

#[test]
fn concurrent_edits_converge_in_either_sync_order() {
    let a_then_b = run(false);
    let b_then_a = run(true);
    assert_eq!(
        a_then_b, b_then_a,
        "the sync order must not change the outcome"
    );

    let o = a_then_b;
    assert_eq!(o.server_site_notes, json!(B_NOTES), "the latest edit wins");
    assert_eq!(o.server_serial, json!(DISPATCH_SERIAL));
    assert_eq!(
        o.phones,
        vec![
            (json!(B_NOTES), json!(DISPATCH_SERIAL)),
            (json!(B_NOTES), Value::Null),
        ],
        "both phones hold the server's values (eng-b's phone has no washing machine)"
    );
    assert_eq!(
        o.job_a_status,
        Status::Cancelled,
        "the office's cancel came first"
    );
    assert_eq!(
        o.b_window_start,
        Value::Bool(true),
        "eng-b's phone has the new appointment"
    );

    // eng-a: both corrections lost (to newer edits) and three actions on the cancelled job
    // were refused; each is in their log with what they entered.
    let field_losses: Vec<_> = o.a_conflicts.iter().filter(|c| c.0.is_some()).collect();
    assert_eq!(
        field_losses,
        vec![
            &(
                Some("access_notes".into()),
                Some(json!(A_NOTES).to_string()),
                Kept::Remote
            ),
            &(
                Some("serial".into()),
                Some(json!(A_SERIAL).to_string()),
                Kept::Remote
            ),
        ]
    );
    assert_eq!(o.a_conflicts.len(), 5, "{:?}", o.a_conflicts);
    assert_eq!(
        o.b_conflicts, 0,
        "eng-b's edit won; nothing of theirs was lost"
    );

    // The office sees every loser too: eng-a's notes and serial, its own notes, three refusals.
    let server_fields: Vec<_> = o
        .server_conflicts
        .iter()
        .filter(|c| c.0.is_some())
        .collect();
    assert_eq!(server_fields.len(), 3, "{server_fields:?}");
    for lost in [A_NOTES, DISPATCH_NOTES, A_SERIAL] {
        assert!(
            server_fields
                .iter()
                .any(|c| c.1.as_deref().is_some_and(|v| v.contains(lost))),
            "{lost} missing from {server_fields:?}"
        );
    }
    assert_eq!(o.server_conflicts.len(), 6, "{:?}", o.server_conflicts);
}

/// A change made between a round's push and its pull: the pull keeps the local status (the
/// change is still waiting), so the office's cancel arrives and is held back. The next push is
/// refused; the phone must then take its change back and show the server's status, not keep
/// the refused one for ever.
#[test]
fn a_refused_change_is_taken_back_even_after_its_row_was_pulled() {
    let w = world();
    let ids = setup(&w);
    let (_dir, a, client) = eng_a_synced(&w);

    a.set_status(ids.job_a, Status::Accepted, Role::Engineer, None)
        .expect("accept");
    w.dispatcher.post(
        &format!("/v1/work-orders/{}/status", ids.job_a),
        json!({ "to": "cancelled", "reason": "Customer bought a new machine" }),
    );
    // Only the pull half of a round, as if the change had come just after the push.
    pull_only(&w, 0, &a);
    let held = a.job_detail(ids.job_a).expect("job").work_order.status;
    assert_eq!(held, Status::Accepted, "a waiting change keeps its field");

    let report = client.sync_now(&a).expect("sync");
    assert_eq!(report.push.rejected, 1);
    let record = a.visit_record(ids.job_a).expect("record");
    assert_eq!(record.work_order.status, Status::Cancelled);
    let history: Vec<Status> = record.status_changes.iter().map(|c| c.to).collect();
    assert_eq!(history, [Status::Cancelled], "only the server's change");
    let log = a.conflicts(false).expect("log");
    assert_eq!(log.len(), 1);
    assert!(
        log[0]
            .local_value
            .as_deref()
            .is_some_and(|v| v.contains("accepted"))
    );
}

/// A follow-up visit points at the visit it follows, which may have been someone else's and may
/// itself be a follow-up. The whole chain must come down with it, or the phone could not store
/// the link and every later pull would fail on it. A follow-up of an open visit, or for another
/// appliance, is refused.
#[test]
fn a_chain_of_follow_ups_syncs_with_every_visit_it_follows() {
    let w = world();
    let ids = setup(&w);
    let office = &w.dispatcher;
    let job_b = office
        .get("/v1/work-orders?engineer=eng-b")
        .as_array()
        .expect("list")[0]
        .clone();
    let start = Utc::now();
    let job = |number: &str, asset: &Value, engineer: &str, follows: Option<Uuid>| {
        json!({ "number": number, "kind": "repair", "priority": "high",
                "customer_id": job_b["customer_id"], "site_id": job_b["site_id"],
                "asset_id": asset, "fault": { "symptom": "Door seal leaks" },
                "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                "assignee": engineer, "follow_up_of": follows })
    };
    let refused = |body: Value| {
        let (status, answer) = office.call("POST", "/v1/work-orders", Some(&body));
        // 409: the visit it follows is not over yet (the rows' state, not the request).
        assert_eq!(
            (status, answer["error"].as_str()),
            (409, Some("refused")),
            "{answer}"
        );
    };
    refused(job("WO-3", &job_b["asset_id"], "eng-a", Some(ids.job_b)));
    let cancel = |id: Uuid| {
        office.post(
            &format!("/v1/work-orders/{id}/status"),
            json!({ "to": "cancelled", "reason": "Rebooked" }),
        );
    };
    cancel(ids.job_b);
    refused(job("WO-3", &json!(ids.asset_x), "eng-a", Some(ids.job_b)));
    // eng-b's visit, its follow-up (also eng-b's, also over), then eng-a's follow-up of that.
    let second = id(&office.post(
        "/v1/work-orders",
        job("WO-3", &job_b["asset_id"], "eng-b", Some(ids.job_b)),
    ));
    cancel(second);
    let third = id(&office.post(
        "/v1/work-orders",
        job("WO-4", &job_b["asset_id"], "eng-a", Some(second)),
    ));
    let open_neighbour = id(&office.post(
        "/v1/work-orders",
        job("WO-5", &job_b["asset_id"], "eng-b", None),
    ));

    let dir = TempDir::new().expect("temp dir");
    let a = Store::open(dir.path().join("a.db")).expect("a");
    SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&a)
        .expect("the pull stores the follow-up and the visits it follows");
    assert_eq!(
        a.job_detail(third)
            .expect("follow-up")
            .work_order
            .follow_up_of,
        Some(second)
    );
    assert_eq!(
        a.job_detail(second)
            .expect("history")
            .work_order
            .follow_up_of,
        Some(ids.job_b)
    );
    assert!(
        a.job_detail(ids.job_b).is_ok(),
        "the first visit of the chain came too"
    );
    assert!(
        matches!(a.job_detail(open_neighbour), Err(Error::NotFound { .. })),
        "eng-b's open job on the same appliance is not eng-a's"
    );
}

/// The office corrects the appliance's serial and moves the appointment while the engineer,
/// offline, completes the visit and the customer signs. Those fields are in the report's header:
/// the signature must still be accepted, the visit completed, and the back office must receive
/// the report exactly as the customer signed it.
#[test]
fn an_office_edit_of_the_report_header_does_not_void_an_offline_signature() {
    let w = world();
    let job = onsite_tests::scenario::dispatch(&w.dispatcher, "WO-7", "eng-a");
    let (_dir, a, client) = eng_a_synced(&w);
    let asset = a.job_detail(job).expect("job").asset.expect("asset").id;

    onsite_tests::complete_visit(&a, job);
    let signed = a.service_report(job).expect("report");
    w.dispatcher.patch(
        &format!("/v1/assets/{asset}"),
        json!({ "serial": DISPATCH_SERIAL }),
    );
    let later = Utc::now() + Duration::hours(1);
    w.dispatcher.patch(
        &format!("/v1/work-orders/{job}"),
        json!({ "window_start": later, "window_end": later + Duration::hours(2) }),
    );

    let report = client.sync_now(&a).expect("sync");
    assert_eq!(report.push.rejected, 0, "{:?}", a.conflicts(true));
    let office: onsite_core::report::ReportView =
        serde_json::from_value(w.dispatcher.get(&format!("/v1/work-orders/{job}/report")))
            .expect("report");
    assert_eq!(office.sha256, signed.sha256, "the document as signed");
    assert_eq!(office.report, signed.report);
    assert!(matches!(
        office.signature,
        onsite_core::report::Signature::Signed { .. }
    ));
    let phone = a.job_detail(job).expect("job");
    assert_eq!(phone.work_order.status, Status::Completed);
    assert_eq!(
        phone.asset.expect("asset").serial,
        DISPATCH_SERIAL,
        "the office's fix arrived"
    );
    assert_eq!(a.service_report(job).expect("report").sha256, signed.sha256);
}

/// A phone whose clock runs an hour fast does a visit offline. The server will not take stamps
/// from the future, but that is not the engineer's fault: the phone corrects its clock from the
/// server's, stamps its waiting changes again, and every one of them is applied. Nothing is
/// refused, taken back or lost.
#[test]
fn a_phone_clock_an_hour_fast_loses_nothing() {
    let w = world();
    let job = onsite_tests::scenario::dispatch(&w.dispatcher, "WO-8", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let clock = Arc::new(ManualClock::new(Utc::now() + Duration::hours(1)));
    let a = Store::open_with_clock(dir.path().join("a.db"), clock).expect("a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    client
        .sync_now(&a)
        .expect("a gets the job (nothing to push: no clock learnt yet)");

    onsite_tests::complete_visit(&a, job);
    let waiting = a.pending_sync_count().expect("count");
    let report = client.sync_now(&a).expect("sync");
    assert_eq!(
        (
            report.push.applied as u64,
            report.push.rejected,
            report.pending
        ),
        (waiting, 0, 0),
        "{:?}",
        a.conflicts(true)
    );
    assert!(a.conflicts(true).expect("log").is_empty());
    assert_eq!(
        a.job_detail(job).expect("job").work_order.status,
        Status::Completed
    );
    let office: onsite_core::report::ReportView =
        serde_json::from_value(w.dispatcher.get(&format!("/v1/work-orders/{job}/report")))
            .expect("report");
    assert_eq!(office.sha256, a.service_report(job).expect("report").sha256);

    // Later actions are stamped from the corrected clock and go straight through.
    a.add_note(job, "Customer called back: all fine".into())
        .expect_err("the job is completed: no more records");
    edit(
        &a,
        Entity::Site,
        a.job_detail(job).expect("job").site.id,
        "access_notes",
        "Key under the mat",
    );
    let report = client.sync_now(&a).expect("sync");
    assert_eq!((report.push.applied, report.push.rejected), (1, 0));
}

/// A phone (buggy or tampered with) sends a sign-off whose report names another customer, with
/// a hash that matches that report. Only the office-editable fields may differ from the
/// server's copy: the signature is refused, and so is the completion that relied on it.
#[test]
fn a_signed_report_that_differs_beyond_the_office_fields_is_refused() {
    let w = world();
    let job = onsite_tests::scenario::dispatch(&w.dispatcher, "WO-9", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("a.db");
    let a = Store::open(&path).expect("a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    client.sync_now(&a).expect("a gets the job");
    onsite_tests::complete_visit(&a, job);

    let conn = rusqlite::Connection::open(&path).expect("open the phone's file");
    let payload: String = conn
        .query_row(
            "SELECT payload FROM outbox WHERE entity = 'sign_off'",
            [],
            |r| r.get(0),
        )
        .expect("the sign-off waits");
    let mut payload: Value = serde_json::from_str(&payload).expect("json");
    let mut report: Value =
        serde_json::from_str(payload["report_json"].as_str().expect("report")).expect("json");
    report["customer"] = json!("Someone Else");
    let forged = report.to_string();
    payload["report_sha256"] = json!(onsite_core::report::sha256_hex(&forged));
    payload["report_json"] = json!(forged);
    conn.execute(
        "UPDATE outbox SET payload = ?1 WHERE entity = 'sign_off'",
        [payload.to_string()],
    )
    .expect("tamper");

    let report = client.sync_now(&a).expect("sync");
    assert_eq!(report.push.rejected, 2, "the sign-off and the completion");
    let office: onsite_core::report::ReportView =
        serde_json::from_value(w.dispatcher.get(&format!("/v1/work-orders/{job}/report")))
            .expect("report");
    assert_eq!(office.signature, onsite_core::report::Signature::Unsigned);
    assert_ne!(office.report.customer, "Someone Else");
}

/// Sequential edits are not conflicts: the engineer's correction reaches the server, the office
/// sees it and changes the field again. Nobody's log gets an entry; the phone takes the value.
#[test]
fn an_edit_changed_later_by_someone_who_saw_it_is_no_conflict() {
    let w = world();
    let ids = setup(&w);
    let (_dir, a, client) = eng_a_synced(&w);
    edit(&a, Entity::Site, ids.site, "access_notes", A_NOTES);
    client.sync_now(&a).expect("the correction goes up");
    w.dispatcher.patch(
        &format!("/v1/sites/{}", ids.site),
        json!({ "access_notes": format!("{A_NOTES}; ring the top bell") }),
    );
    client.sync_now(&a).expect("the office's change comes down");
    assert_eq!(
        field(&a, Entity::Site, ids.site, "access_notes"),
        json!(format!("{A_NOTES}; ring the top bell"))
    );
    assert!(a.conflicts(true).expect("log").is_empty());
    let office = w.dispatcher.get("/v1/conflicts?include_seen=true");
    assert_eq!(office, json!([]));
}

/// An edit still waiting when a newer value is pulled: the phone shows the newer value at once,
/// and the loss is logged exactly once, when the push answers for the edit.
#[test]
fn a_waiting_edit_that_loses_is_logged_once() {
    let w = world();
    let ids = setup(&w);
    let (_dir, a, client) = eng_a_synced(&w);
    edit(&a, Entity::Asset, ids.asset_x, "serial", A_SERIAL);
    w.dispatcher.patch(
        &format!("/v1/assets/{}", ids.asset_x),
        json!({ "serial": DISPATCH_SERIAL }),
    );
    // Only the pull half of a round, as if the change had come just after the push.
    pull_only(&w, 0, &a);
    assert_eq!(
        field(&a, Entity::Asset, ids.asset_x, "serial"),
        json!(DISPATCH_SERIAL)
    );

    client.sync_now(&a).expect("sync");
    let log = a.conflicts(true).expect("log");
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        log[0].local_value.as_deref(),
        Some(json!(A_SERIAL).to_string().as_str())
    );
    assert_eq!(
        log[0].remote_value.as_deref(),
        Some(json!(DISPATCH_SERIAL).to_string().as_str())
    );
    assert_eq!(
        field(&a, Entity::Asset, ids.asset_x, "serial"),
        json!(DISPATCH_SERIAL)
    );
}

/// A push answer that reported an edit lost is itself lost (the network dropped it): the retry
/// is answered `duplicate` with the same losses, and the phone logs its value once.
#[test]
fn a_lost_push_answer_does_not_lose_the_loss_report() {
    let w = world();
    let ids = setup(&w);
    let (_dir, a, client) = eng_a_synced(&w);
    edit(&a, Entity::Asset, ids.asset_x, "serial", A_SERIAL);
    w.dispatcher.patch(
        &format!("/v1/assets/{}", ids.asset_x),
        json!({ "serial": DISPATCH_SERIAL }),
    );
    // The phone's push reaches the server, but its answer never reaches the phone.
    let engineer = onsite_tests::server::Http::new(&w.server.url, &w.tokens[0]);
    let waiting = a
        .read(|c| onsite_core::sync::apply::pending_mutations(c, 500))
        .expect("outbox");
    let first = engineer.post(
        "/v1/sync/push",
        json!({ "client_id": a.client_id(), "mutations": waiting }),
    );
    assert_eq!(first["results"][0]["outcome"], "applied", "{first}");
    assert_eq!(first["results"][0]["lost"][0]["field"], "serial", "{first}");
    assert!(a.conflicts(true).expect("log").is_empty());

    let report = client.sync_now(&a).expect("the phone retries");
    assert_eq!(report.push.duplicates, 1, "{report:?}");
    let log = a.conflicts(true).expect("log");
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        log[0].local_value.as_deref(),
        Some(json!(A_SERIAL).to_string().as_str())
    );
    client.sync_now(&a).expect("a further round");
    assert_eq!(a.conflicts(true).expect("log").len(), 1, "logged once");
}
