//! A first sync from the server's snapshot (issue 10) against the real server binary: a phone
//! that installs its scope from one file ends with exactly what a phone that pulled it page
//! by page has (rows, field stamps, cursor), over a messy history (finished visits with their
//! signed reports, a follow-up, another engineer's visit that became history, jobs taken away
//! and given back, fields edited in the office and on a phone), and both go on pulling alike.
//! A device of another schema is refused with 409; a server that sends no snapshots, or one
//! whose snapshot cannot be received, still gives the phone its first sync, page by page, and
//! no snapshot file stays behind.

use chrono::{Duration, Utc};
use onsite_core::sync::client::SyncClient;
use onsite_core::sync::snapshot;
use onsite_core::sync::wire::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::{Entity, Store};
use onsite_tests::complete_visit;
use onsite_tests::scenario::{World, dispatch, world, world_with};
use rusqlite::types::Value as SqlValue;
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

/// Each table's name and rows.
type Tables = Vec<(String, Vec<Vec<SqlValue>>)>;

/// Every synced table and the field clocks, row by row, and the cursor.
fn contents(store: &Store) -> (Tables, i64) {
    let mut tables: Vec<&str> = Entity::synced().map(Entity::table).collect();
    tables.extend(["field_clocks", "pending_removals", "quarantine"]);
    store
        .read(|c| {
            let mut all = Vec::new();
            for table in &tables {
                let n = c.prepare(&format!("SELECT * FROM {table}"))?.column_count();
                let order = (1..=n)
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut stmt = c.prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
                let rows = stmt
                    .query_map([], |r| (0..n).map(|i| r.get(i)).collect())?
                    .collect::<rusqlite::Result<Vec<Vec<SqlValue>>>>()?;
                all.push(((*table).to_owned(), rows));
            }
            Ok((all, onsite_core::sync::apply::cursor(c)?))
        })
        .expect("store reads")
}

fn id(v: &Value) -> Uuid {
    v["id"].as_str().expect("id").parse().expect("uuid")
}

/// A job for `engineer` at the site and on the appliance of `like` (a work order's JSON).
fn job_like(w: &World, like: &Value, number: &str, engineer: &str, follows: Option<Uuid>) -> Uuid {
    let start = Utc::now() + Duration::hours(3);
    id(&w.dispatcher.post(
        "/v1/work-orders",
        json!({ "number": number, "kind": "repair", "priority": "normal",
                "customer_id": like["customer_id"], "site_id": like["site_id"],
                "asset_id": like["asset_id"], "fault": { "symptom": "Again" },
                "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                "assignee": engineer, "follow_up_of": follows }),
    ))
}

/// eng-a's working phone does visits; the office edits, reassigns and books history.
fn messy_history(w: &World, dir: &TempDir) {
    let phone = Store::open(dir.path().join("working.db")).expect("working phone");
    let client = SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .paged_only();
    // A finished visit, signed: its records and report come as history.
    let done = dispatch(&w.dispatcher, "WO-1", "eng-a");
    client.sync_now(&phone).expect("gets WO-1");
    complete_visit(&phone, done);
    // A visit left incomplete, with a follow-up booked on it.
    let open = dispatch(&w.dispatcher, "WO-2", "eng-a");
    client.sync_now(&phone).expect("uploads WO-1, gets WO-2");
    for to in [Status::Accepted, Status::OnSite] {
        phone
            .set_status(open, to, Role::Engineer, None)
            .expect("move");
    }
    phone
        .add_note(open, "Needs a new drain pump".into())
        .expect("note");
    phone
        .set_status(
            open,
            Status::Incomplete,
            Role::Engineer,
            Some("Part".into()),
        )
        .expect("incomplete");
    // A field edited on the phone (its stamp travels as a field stamp).
    let wo2 = phone.find_work_order("WO-2").expect("WO-2");
    let wo2 = json!({ "customer_id": wo2.customer_id, "site_id": wo2.site_id,
                      "asset_id": wo2.asset_id });
    phone
        .edit_fields(
            Entity::Site,
            wo2["site_id"]
                .as_str()
                .expect("site")
                .parse()
                .expect("uuid"),
            [(
                "access_notes".to_owned(),
                Some("Key under the mat".to_owned()),
            )]
            .into(),
            Role::Engineer,
        )
        .expect("edit");
    client.sync_now(&phone).expect("uploads");
    job_like(w, &wo2, "WO-3", "eng-a", Some(open));
    // eng-b's visit on the same appliance, cancelled: history on eng-a's phone.
    let theirs = job_like(w, &wo2, "WO-4", "eng-b", None);
    w.dispatcher.post(
        &format!("/v1/work-orders/{theirs}/status"),
        json!({ "to": "cancelled", "reason": "Customer away" }),
    );
    // The office edits a customer and a job.
    w.dispatcher.patch(
        &format!(
            "/v1/customers/{}",
            wo2["customer_id"].as_str().expect("customer")
        ),
        json!({ "phone": "+49 30 555 0101" }),
    );
    w.dispatcher.patch(
        &format!("/v1/work-orders/{}", open),
        json!({ "priority": "high" }),
    );
    // A job taken away, and one given to eng-a from eng-b.
    let away = dispatch(&w.dispatcher, "WO-5", "eng-a");
    client.sync_now(&phone).expect("gets WO-5");
    w.dispatcher.post(
        &format!("/v1/work-orders/{away}/assign"),
        json!({ "engineer": "eng-b" }),
    );
    let given = dispatch(&w.dispatcher, "WO-6", "eng-b");
    w.dispatcher.post(
        &format!("/v1/work-orders/{given}/assign"),
        json!({ "engineer": "eng-a" }),
    );
    // And one taken away and given back.
    let back = dispatch(&w.dispatcher, "WO-7", "eng-a");
    for engineer in ["eng-b", "eng-a"] {
        w.dispatcher.post(
            &format!("/v1/work-orders/{back}/assign"),
            json!({ "engineer": engineer }),
        );
    }
    client.sync_now(&phone).expect("the working phone syncs");
}

#[test]
fn a_snapshot_first_sync_equals_a_paged_one_and_both_pull_on_alike() {
    let w = world();
    let dir = TempDir::new().expect("temp dir");
    messy_history(&w, &dir);

    let paged = Store::open(dir.path().join("paged.db")).expect("paged phone");
    let paged_client = SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .paged_only();
    let by_pages = paged_client.sync_now(&paged).expect("paged first sync");
    assert_eq!(by_pages.snapshot_rows, 0);

    let installed = Store::open(dir.path().join("snapshot.db")).expect("snapshot phone");
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    let by_snapshot = client.sync_now(&installed).expect("snapshot first sync");
    assert!(by_snapshot.snapshot_rows > 0, "{by_snapshot:?}");
    assert_eq!(by_snapshot.pulled, by_snapshot.snapshot_rows);
    assert_eq!(by_snapshot.cursor, by_pages.cursor);
    for number in ["WO-1", "WO-2", "WO-3", "WO-4", "WO-6", "WO-7"] {
        installed.find_work_order(number).expect("in eng-a's scope");
    }
    assert!(installed.find_work_order("WO-5").is_err(), "taken away");
    let (tables, cursor) = contents(&installed);
    assert_eq!((tables.clone(), cursor), contents(&paged));
    let signed = &tables
        .iter()
        .find(|(t, _)| t == "signoffs")
        .expect("signoffs")
        .1;
    assert_eq!(signed.len(), 1, "the signed visit's report came with it");
    let stamps = &tables
        .iter()
        .find(|(t, _)| t == "field_clocks")
        .expect("clocks")
        .1;
    assert!(stamps.len() >= 2, "the edited fields' stamps came with it");
    assert!(
        !dir.path().join("snapshot.db.snapshot").exists(),
        "the downloaded file is gone once installed"
    );

    // After the snapshot, the phone pulls on page by page from its cursor, like the other.
    let wo2 = installed.find_work_order("WO-2").expect("WO-2");
    let wo2 = json!({ "customer_id": wo2.customer_id, "site_id": wo2.site_id,
                      "asset_id": wo2.asset_id });
    job_like(&w, &wo2, "WO-8", "eng-a", None);
    w.dispatcher.patch(
        &format!("/v1/sites/{}", wo2["site_id"].as_str().expect("site")),
        json!({ "access_notes": "Side door" }),
    );
    let next = client.sync_now(&installed).expect("next round");
    assert_eq!(next.snapshot_rows, 0, "a store that synced pulls pages");
    assert!(next.pulled > 0);
    paged_client.sync_now(&paged).expect("next round");
    assert_eq!(contents(&installed), contents(&paged));
}

#[test]
fn the_snapshot_endpoint_refuses_another_schema_and_sends_zstd_as_it_is() {
    let w = world();
    dispatch(&w.dispatcher, "WO-1", "eng-a");
    let http = reqwest::blocking::Client::new();
    let ask = |schema: i64, protocol: bool| {
        let mut req = http
            .get(format!("{}/v1/sync/snapshot?schema={schema}", w.server.url))
            .bearer_auth(&w.tokens[0])
            .header("accept-encoding", "gzip");
        if protocol {
            req = req.header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string());
        }
        req.send().expect("server answers")
    };
    let latest = i64::from(onsite_core::store::LATEST_VERSION);
    let refused = ask(latest + 1, true);
    assert_eq!(refused.status().as_u16(), 409);
    let body: Value = refused.json().expect("JSON error");
    assert_eq!(body["error"], "snapshot_schema", "{body}");
    assert_eq!(
        ask(latest, false).status().as_u16(),
        400,
        "the protocol header"
    );

    let ok = ask(latest, true);
    assert_eq!(ok.status().as_u16(), 200);
    let headers = ok.headers().clone();
    assert_eq!(headers["content-type"], snapshot::CONTENT_TYPE);
    assert!(
        headers.get("content-encoding").is_none(),
        "zstd is not gzipped again"
    );
    let announced = headers[snapshot::SHA256_HEADER]
        .to_str()
        .expect("hex")
        .to_owned();
    let bytes = ok.bytes().expect("body");
    assert_eq!(
        headers["content-length"].to_str().expect("length"),
        bytes.len().to_string()
    );
    let dir = TempDir::new().expect("temp dir");
    let mut download =
        snapshot::Download::create(dir.path().join("got.snapshot")).expect("download");
    download.write(&bytes).expect("decodes");
    let file = download.finish(&announced).expect("the hash is the bytes'");
    let device = Store::open(dir.path().join("device.db")).expect("device");
    let installed = snapshot::install(&device, &file).expect("installs");
    assert!(
        installed.rows >= 4,
        "the job and its parents: {installed:?}"
    );
}

#[test]
fn without_snapshots_a_first_sync_pulls_page_by_page() {
    let w = world_with(&["--no-snapshots"]);
    dispatch(&w.dispatcher, "WO-1", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let phone = Store::open(dir.path().join("phone.db")).expect("phone");
    // What a download killed half way left behind.
    let leftover = dir.path().join("phone.db.snapshot");
    std::fs::write(&leftover, b"half a snapshot").expect("leftover");
    let report = SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&phone)
        .expect("first sync");
    assert_eq!(report.snapshot_rows, 0);
    assert!(report.pulled >= 4, "{report:?}");
    phone
        .find_work_order("WO-1")
        .expect("the job is on the phone");
    assert!(
        !leftover.exists(),
        "an earlier download's file does not stay"
    );
}

#[test]
fn a_snapshot_that_cannot_install_falls_back_to_pages_in_the_same_round() {
    let w = world();
    dispatch(&w.dispatcher, "WO-1", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let phone = Store::open(dir.path().join("phone.db")).expect("phone");
    // A directory where the download's file must go: the snapshot cannot be received.
    std::fs::create_dir(dir.path().join("phone.db.snapshot")).expect("in the way");
    let report = SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&phone)
        .expect("first sync");
    assert_eq!(report.snapshot_rows, 0, "{report:?}");
    phone
        .find_work_order("WO-1")
        .expect("the job came by pages");
}
