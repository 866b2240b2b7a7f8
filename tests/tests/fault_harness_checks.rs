//! The fault harness's end checks find what they look for: a clean synced device passes them,
//! and each kind of damage, made directly in the store files, is reported in its own category.
//! (A check that can never fail would let the harness pass whatever sync does.)

use onsite_core::Store;
use onsite_core::clock::Hlc;
use onsite_core::sync::client::SyncClient;
use onsite_core::work_orders::status::{Role, Status};
use onsite_core::{Entity, edits::Changes};
use onsite_tests::harness::check::{self, DeviceView, ReportedAdd, ReportedEdit};
use onsite_tests::scenario::{dispatch, world};
use rusqlite::Connection;
use tempfile::TempDir;
use uuid::Uuid;

#[test]
fn the_checks_report_lost_duplicated_divergent_and_unlogged_rows() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-CHK", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let store = Store::open(dir.path().join("a.db")).expect("store");
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    client.sync_now(&store).expect("first sync");
    for to in [Status::Accepted, Status::OnSite] {
        store
            .set_status(job, to, Role::Engineer, None)
            .expect("move");
    }
    let note = store.add_note(job, "d0g1n0i0".into()).expect("note");
    let site = store
        .find_work_order(&job.to_string())
        .expect("job")
        .site_id;
    let changes: Changes = [("access_notes".to_owned(), Some("d0g1n0i1".to_owned()))].into();
    store
        .edit_fields(Entity::Site, site, changes, Role::Engineer)
        .expect("edit");
    client.sync_now(&store).expect("sync");
    client.sync_now(&store).expect("quiet");

    let server = Connection::open(w.dir.path().join("server/onsite-server.db")).expect("server db");
    let device = Connection::open(store.path()).expect("device db");
    let mut adds = vec![ReportedAdd {
        device: 0,
        table: "notes".into(),
        row_id: note.id.to_string(),
        tag: "d0g1n0i0".into(),
    }];
    let edits = vec![ReportedEdit {
        device: 0,
        entity: "site".into(),
        row_id: site.to_string(),
        field: "access_notes".into(),
        tag: "d0g1n0i1".into(),
    }];
    let run = |adds: &[ReportedAdd]| {
        let views = [DeviceView {
            engineer: "eng-a",
            conn: &device,
        }];
        check::run(&server, &views, adds, &edits, &Default::default())
    };
    let clean = run(&adds);
    assert!(
        clean.lost.is_empty() && clean.duplicated.is_empty() && clean.divergent.is_empty(),
        "a clean sync passes: {clean:?}"
    );

    // A reported note the server never got.
    adds.push(ReportedAdd {
        device: 0,
        table: "notes".into(),
        row_id: Uuid::now_v7().to_string(),
        tag: "d0g1n0i2".into(),
    });
    // The same note twice on the device (another id, the same tag).
    device
        .execute(
            "INSERT INTO notes SELECT ?1, work_order_id, body, recorded_at, row_stamp FROM notes WHERE id = ?2",
            [Uuid::now_v7().to_string(), note.id.to_string()],
        )
        .expect("duplicate");
    // The server's copy of the site changed behind the device's back, with a newer stamp from
    // nobody, so the device's value was overwritten and nobody logged it.
    let stamp = Hlc {
        wall_ms: chrono::Utc::now().timestamp_millis() + 60_000,
        counter: 0,
        node: Uuid::now_v7(),
    };
    server
        .execute(
            "UPDATE sites SET access_notes = 'overwritten' WHERE id = ?1",
            [site.to_string()],
        )
        .expect("overwrite");
    server
        .execute(
            "UPDATE field_clocks SET hlc = ?2 WHERE entity = 'site' AND row_id = ?1 AND field = 'access_notes'",
            [site.to_string(), stamp.to_string()],
        )
        .expect("stamp");
    let found = run(&adds);
    let has = |list: &[String], text: &str| list.iter().any(|f| f.contains(text));
    assert!(has(&found.lost, "d0g1n0i2"), "the missing note: {found:?}");
    assert!(
        has(&found.lost, "d0g1n0i1"),
        "the overwrite nobody logged: {found:?}"
    );
    assert!(
        has(&found.duplicated, "d0g1n0i0"),
        "the note stored twice: {found:?}"
    );
    assert!(
        has(&found.divergent, "sites"),
        "the site the device holds differently: {found:?}"
    );
    assert!(
        has(&found.divergent, "outside its scope"),
        "the note the server does not have: {found:?}"
    );
}
