//! Pull pages apply on their own, whatever their size (issue 9, finding 3): the server runs
//! with one change-log entry per page, so any row sent before its parent would fail its page.
//! A job handed to an engineer (its asset re-logged before its contract), a follow-up of a visit
//! that was re-opened (its link leaves the scope), and a job taken away while a follow-up on the
//! phone still follows it. Every client here pulls page by page (`paged_only`): a new phone
//! would otherwise install its first sync from a snapshot (`sync_snapshot.rs`).

use chrono::{Duration, Utc};
use onsite_core::Store;
use onsite_core::sync::client::SyncClient;
use onsite_core::work_orders::status::{Role, Status};
use onsite_tests::scenario::{World, dispatch, world_with};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

fn tiny_pages() -> World {
    world_with(&["--pull-page-size", "1"])
}

fn id(v: &Value) -> Uuid {
    v["id"].as_str().expect("id").parse().expect("uuid")
}

/// A customer, site, contract, asset on that contract, and a job on it for `engineer`.
fn job_on_contract(office: &onsite_tests::server::Http, engineer: &str) -> Uuid {
    let customer = office.post("/v1/customers", json!({ "name": "Household" }));
    let site = office.post(
        &format!("/v1/customers/{}/sites", id(&customer)),
        json!({ "address": "Somewhere 1", "access_notes": "" }),
    );
    let contract = office.post(
        &format!("/v1/customers/{}/contracts", id(&customer)),
        json!({ "plan": "Care", "starts_on": "2025-01-01", "ends_on": "2030-12-31",
                "visits_per_year": 1, "covers_parts": true, "covers_labour": true }),
    );
    let asset = office.post(
        &format!("/v1/sites/{}/assets", id(&site)),
        json!({ "kind": "appliance", "category": "dishwasher", "brand": "Bosch", "model": "SMS",
                "serial": "B1", "contract_id": id(&contract) }),
    );
    let start = Utc::now() + Duration::hours(1);
    id(&office.post(
        "/v1/work-orders",
        json!({ "number": "WO-C", "kind": "repair", "priority": "normal",
                "customer_id": id(&customer), "site_id": id(&site), "asset_id": id(&asset),
                "fault": { "symptom": "Leaks" },
                "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                "assignee": engineer }),
    ))
}

#[test]
fn a_job_handed_over_arrives_with_its_contract_one_entry_per_page() {
    let w = tiny_pages();
    let dir = TempDir::new().expect("temp dir");
    let a = Store::open(dir.path().join("a.db")).expect("a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .paged_only();
    // eng-b's job: eng-a's cursor passes every row of it without receiving any.
    let job = job_on_contract(&w.dispatcher, "eng-b");
    client.sync_now(&a).expect("a syncs, nothing of eng-b's");
    w.dispatcher.post(
        &format!("/v1/work-orders/{job}/assign"),
        json!({ "engineer": "eng-a" }),
    );
    let round = client.sync_now(&a).expect("every page applies");
    assert_eq!(round.quarantined, 0, "{round:?}");
    let detail = a.job_detail(job).expect("the job arrived");
    assert!(detail.contract.is_some(), "with its contract");
}

/// eng-a leaves WO-A incomplete; eng-b gets the follow-up WO-B. The office then re-opens WO-A
/// (it is no longer anyone's history). A new phone of eng-b must still get WO-B, and WO-B's
/// link must resolve there.
#[test]
fn a_follow_up_of_a_reopened_visit_reaches_a_new_phone() {
    let w = tiny_pages();
    let dir = TempDir::new().expect("temp dir");
    let (first, follow_up) = follow_up_for(&w, &dir, "eng-b");
    w.dispatcher.post(
        &format!("/v1/work-orders/{first}/status"),
        json!({ "to": "assigned" }),
    );
    let fresh = Store::open(dir.path().join("b-new.db")).expect("new phone");
    let client = SyncClient::new(&w.server.url, &w.tokens[1])
        .expect("client")
        .paged_only();
    let round = client.sync_now(&fresh).expect("the new phone syncs");
    assert_eq!(round.quarantined, 0, "{round:?}");
    let wo = fresh
        .find_work_order("WO-B")
        .expect("the follow-up arrived");
    assert_eq!((wo.id, wo.follow_up_of), (follow_up, Some(first)));
    assert!(
        fresh.find_work_order("WO-A").is_ok(),
        "the visit it follows is there"
    );
    // A first sync of many pages built the indexes it left out while pages went in.
    let indexes = |s: &Store| {
        s.read(|c| {
            Ok(
                c.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name")?
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            )
        })
        .expect("indexes")
    };
    let new = Store::open(dir.path().join("never-synced.db")).expect("store");
    assert_eq!(indexes(&fresh), indexes(&new));
}

/// eng-a has the follow-up WO-B of their own WO-A; the office re-opens WO-A and gives it to
/// eng-b. eng-a's phone gets a removal of WO-A while WO-B still follows it: the page applies,
/// WO-A stays as WO-B's link (now eng-b's), and WO-B is untouched.
#[test]
fn a_job_taken_away_while_a_follow_up_follows_it_does_not_fail_the_page() {
    let w = tiny_pages();
    let dir = TempDir::new().expect("temp dir");
    let (first, follow_up) = follow_up_for(&w, &dir, "eng-a");
    let a = Store::open(dir.path().join("a.db")).expect("a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .paged_only();
    client.sync_now(&a).expect("a has both");
    w.dispatcher.post(
        &format!("/v1/work-orders/{first}/status"),
        json!({ "to": "assigned" }),
    );
    w.dispatcher.post(
        &format!("/v1/work-orders/{first}/assign"),
        json!({ "engineer": "eng-b" }),
    );
    let round = client.sync_now(&a).expect("the removal applies");
    assert_eq!(round.quarantined, 0, "{round:?}");
    assert_eq!(
        a.find_work_order("WO-B").expect("the follow-up stays").id,
        follow_up
    );
    let kept = a.find_work_order("WO-A").expect("kept: WO-B follows it");
    assert_eq!(kept.assignee.as_deref(), Some("eng-b"));
}

/// eng-a's WO-A, left incomplete on eng-a's phone (`a.db` in `dir`) and synced, and the
/// office's follow-up WO-B of it for `engineer`. Returns (WO-A, WO-B).
fn follow_up_for(w: &World, dir: &TempDir, engineer: &str) -> (Uuid, Uuid) {
    let first = dispatch(&w.dispatcher, "WO-A", "eng-a");
    let a = Store::open(dir.path().join("a.db")).expect("a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .paged_only();
    client.sync_now(&a).expect("a gets WO-A");
    for to in [Status::Accepted, Status::OnSite] {
        a.set_status(first, to, Role::Engineer, None).expect("move");
    }
    a.set_status(
        first,
        Status::Incomplete,
        Role::Engineer,
        Some("Needs a part".into()),
    )
    .expect("incomplete");
    client.sync_now(&a).expect("a uploads");
    let wo = w.dispatcher.get("/v1/work-orders?status=incomplete");
    let wo = &wo.as_array().expect("list")[0];
    let start = Utc::now() + Duration::hours(4);
    let follow_up = id(&w.dispatcher.post(
        "/v1/work-orders",
        json!({ "number": "WO-B", "kind": "repair", "priority": "normal",
                "customer_id": wo["customer_id"], "site_id": wo["site_id"],
                "asset_id": wo["asset_id"], "fault": { "symptom": "Fit the part" },
                "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                "assignee": engineer, "follow_up_of": first }),
    ));
    (first, follow_up)
}

/// Rows of each pulled kind a phone holds, for comparing two phones.
fn row_counts(store: &Store) -> Vec<(&'static str, i64)> {
    let tables = [
        "customers",
        "sites",
        "assets",
        "work_orders",
        "status_changes",
    ];
    store
        .read(|c| {
            tables
                .iter()
                .map(|t| {
                    Ok((
                        *t,
                        c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?,
                    ))
                })
                .collect()
        })
        .expect("counts")
}

/// The client fetches pull pages ahead of applying them. A server killed after the third
/// page applies (from the progress callback, so at a known point) ends the round with an
/// error, every page applied before stays whole with its cursor (nothing held in quarantine),
/// and the next round resumes from that cursor to the same rows a phone syncing in one go
/// gets.
#[test]
fn a_pull_stopped_mid_way_keeps_each_applied_page_and_resumes() {
    let mut w = tiny_pages();
    for n in 0..3 {
        dispatch(&w.dispatcher, &format!("WO-F{n}"), "eng-a");
    }
    let dir = TempDir::new().expect("temp dir");
    let a = Store::open(dir.path().join("a.db")).expect("a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .paged_only();
    let server = std::sync::Mutex::new(&mut w.server);
    let killed = std::sync::atomic::AtomicBool::new(false);
    let round = client.sync_now_reporting(&a, &|p| {
        if p.pulled >= 3 && !killed.swap(true, std::sync::atomic::Ordering::SeqCst) {
            server.lock().expect("server").kill_in_place();
        }
    });
    assert!(killed.into_inner(), "the pull got past its third page");
    assert!(
        matches!(round, Err(onsite_core::Error::Network(_))),
        "{round:?}"
    );
    let server = server.into_inner().expect("server");
    let cursor = a.read(onsite_core::sync::apply::cursor).expect("cursor");
    assert!(cursor > 0, "the applied pages kept their cursor");
    let held: i64 = a
        .read(|c| Ok(c.query_row("SELECT count(*) FROM quarantine", [], |r| r.get(0))?))
        .expect("quarantine");
    assert_eq!(held, 0, "every applied page was whole");

    server.start_again();
    let resumed = client.sync_now(&a).expect("the next round resumes");
    assert_eq!(resumed.quarantined, 0, "{resumed:?}");
    let b = Store::open(dir.path().join("b.db")).expect("b");
    SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&b)
        .expect("b syncs in one go");
    assert_eq!(row_counts(&a), row_counts(&b));
    assert_eq!(
        a.read(onsite_core::sync::apply::cursor).expect("cursor"),
        b.read(onsite_core::sync::apply::cursor).expect("cursor")
    );
}
