//! A server restored from a backup (issue 9, finding 10): the real server binary, its `backup`
//! and `restore` commands, and real device stores. The restored database has a new identity;
//! a device that sees it pulls again from the start and re-sends the acknowledged changes the
//! backup lacks. A database file copied back by hand (the old identity) is noticed by its
//! symptoms: a push answered `gap`, or a change log that ends below the device's cursor. What
//! a device no longer holds is reported, and it syncs on: it never loops on `gap`.

use onsite_core::Store;
use onsite_core::sync::client::SyncClient;
use onsite_core::work_orders::status::{Role, Status};
use onsite_tests::scenario::{World, dispatch, world};
use onsite_tests::server::Server;
use serde_json::json;
use tempfile::TempDir;
use uuid::Uuid;

/// A device of eng-a that has received `job` and moved it on site (not yet synced).
fn device_on_site(w: &World, dir: &TempDir, job: Uuid) -> (Store, SyncClient) {
    let store = Store::open(dir.path().join("a.db")).expect("device store");
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    client.sync_now(&store).expect("first sync");
    for to in [Status::Accepted, Status::EnRoute, Status::OnSite] {
        store
            .set_status(job, to, Role::Engineer, None)
            .expect("move");
    }
    (store, client)
}

fn add_notes(store: &Store, job: Uuid, prefix: &str, n: usize) {
    for i in 0..n {
        store.add_note(job, format!("{prefix} {i}")).expect("note");
    }
}

/// The notes the server holds for `job`, as a fresh device of eng-a receives them.
fn server_notes(w: &World, dir: &TempDir, job: Uuid) -> Vec<String> {
    let path = dir.path().join(format!("fresh-{}.db", Uuid::now_v7()));
    let fresh = Store::open(path).expect("fresh store");
    SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&fresh)
        .expect("fresh sync");
    let mut notes: Vec<String> = fresh
        .visit_record(job)
        .expect("visit")
        .notes
        .into_iter()
        .map(|n| n.body)
        .collect();
    notes.sort();
    notes
}

fn identity(w: &World) -> String {
    reqwest::blocking::get(format!("{}/healthz", w.server.url))
        .expect("server answers")
        .headers()
        .get(onsite_core::sync::wire::SERVER_ID_HEADER)
        .expect("every answer names its database")
        .to_str()
        .expect("text")
        .to_owned()
}

/// The world's server stopped, its database put back by `put_back`, and started again on the
/// same address; returns a new client for eng-a (the old one's connection died with the
/// server process).
fn restart_with(w: &mut World, put_back: impl FnOnce(&std::path::Path)) -> SyncClient {
    let data = w.server.data.clone();
    w.server.kill_in_place();
    put_back(&data);
    w.server.start_again();
    SyncClient::new(&w.server.url, &w.tokens[0]).expect("client")
}

fn expected_notes(sets: &[(&str, usize)]) -> Vec<String> {
    let mut all: Vec<String> = sets
        .iter()
        .flat_map(|(p, n)| (0..*n).map(move |i| format!("{p} {i}")))
        .collect();
    all.sort();
    all
}

#[test]
fn a_restored_server_gets_back_every_change_the_device_still_holds() {
    let mut w = world();
    let job = dispatch(&w.dispatcher, "WO-900", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let (a, client) = device_on_site(&w, &dir, job);
    add_notes(&a, job, "before", 3);
    client.sync_now(&a).expect("sync");
    let backup = dir.path().join("backup.db");
    Server::admin_command(&w.server.data, "backup", &backup); // while it serves
    let old_identity = identity(&w);

    // After the backup: more work acknowledged, and an office edit the backup will lack.
    add_notes(&a, job, "after", 4);
    let synced = client.sync_now(&a).expect("sync");
    assert_eq!(synced.push.applied, 4);
    assert!(synced.recovery.is_none());

    let client = restart_with(&mut w, |data| {
        let said = Server::admin_command(data, "restore", &backup);
        assert!(said.contains("new identity"), "{said}");
    });
    assert_ne!(identity(&w), old_identity, "a restore gives a new identity");
    assert_eq!(
        server_notes(&w, &dir, job),
        expected_notes(&[("before", 3)]),
        "the backup lacks the later notes"
    );

    add_notes(&a, job, "offline", 2);
    let round = client.sync_now(&a).expect("the recovering round");
    let recovery = round.recovery.expect("the round recovered");
    assert_eq!(
        (recovery.resent, recovery.unrecoverable),
        (4, 0),
        "{round:?}"
    );
    assert_eq!(round.pending, 0);
    assert_eq!(
        server_notes(&w, &dir, job),
        expected_notes(&[("before", 3), ("after", 4), ("offline", 2)]),
        "nothing lost, nothing twice"
    );
    assert_eq!(a.last_server_recovery().expect("read"), Some(recovery));

    // The cursor follows the restored server: an office edit made now arrives; no loop.
    w.dispatcher.patch(
        &format!("/v1/work-orders/{job}"),
        json!({ "error_code": "F12" }),
    );
    let next = client.sync_now(&a).expect("next round");
    assert!(next.recovery.is_none(), "one recovery, not one per round");
    assert_eq!(next.pushed, 0);
    assert_eq!(
        a.job_detail(job)
            .expect("detail")
            .work_order
            .fault
            .error_code,
        Some("F12".to_owned())
    );
}

#[test]
fn a_file_copied_back_by_hand_is_noticed_by_a_gap_and_by_a_cursor_past_its_log() {
    let mut w = world();
    let job = dispatch(&w.dispatcher, "WO-901", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let (a, client) = device_on_site(&w, &dir, job);
    client.sync_now(&a).expect("sync");
    let copy = dir.path().join("copy.db");
    Server::admin_command(&w.server.data, "backup", &copy);
    add_notes(&a, job, "after", 3);
    client.sync_now(&a).expect("sync");

    // The same database file, the same identity: only the symptoms show.
    let put_back = |data: &std::path::Path| {
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(data.join(format!("onsite-server.db{suffix}")));
        }
        std::fs::copy(&copy, data.join("onsite-server.db")).expect("copy back");
    };
    let before = identity(&w);
    let client = restart_with(&mut w, put_back);
    assert_eq!(identity(&w), before);

    // Nothing waits on the device: the pull finds the log ended below its cursor.
    let round = client.sync_now(&a).expect("round");
    assert_eq!(round.recovery.map(|r| r.resent), Some(3), "{round:?}");
    assert_eq!(server_notes(&w, &dir, job), expected_notes(&[("after", 3)]));

    // Again, with a change waiting: the push is answered `gap`, and the device re-sends.
    let client = restart_with(&mut w, put_back);
    add_notes(&a, job, "waiting", 1);
    let round = client.sync_now(&a).expect("round");
    assert_eq!(round.recovery.map(|r| r.resent), Some(3), "{round:?}");
    assert_eq!(round.pending, 0);
    assert_eq!(
        server_notes(&w, &dir, job),
        expected_notes(&[("after", 3), ("waiting", 1)])
    );
}

#[test]
fn changes_the_device_no_longer_holds_are_reported_and_it_syncs_on() {
    let mut w = world();
    let job = dispatch(&w.dispatcher, "WO-902", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let (a, client) = device_on_site(&w, &dir, job);
    client.sync_now(&a).expect("sync");
    let backup = dir.path().join("backup.db");
    Server::admin_command(&w.server.data, "backup", &backup);
    add_notes(&a, job, "lost", 5);
    client.sync_now(&a).expect("sync");
    // As if ACKED_KEPT_DAYS had passed: the acknowledged entries are gone from the outbox.
    a.import(|tx, _| {
        tx.execute("DELETE FROM outbox WHERE acked_at IS NOT NULL", [])?;
        Ok(())
    })
    .expect("prune");

    let client = restart_with(&mut w, |data| {
        Server::admin_command(data, "restore", &backup);
    });
    add_notes(&a, job, "new", 2);
    let round = client.sync_now(&a).expect("the device is not stuck");
    let recovery = round.recovery.expect("recovered");
    assert_eq!(recovery.resent, 0);
    // The five notes acknowledged after the backup.
    assert_eq!(recovery.unrecoverable, 5, "{round:?}");
    assert_eq!(round.pending, 0, "the new changes went through");
    assert_eq!(server_notes(&w, &dir, job), expected_notes(&[("new", 2)]));
    let again = client.sync_now(&a).expect("and again");
    assert!(again.recovery.is_none());
    assert_eq!(
        a.last_server_recovery()
            .expect("read")
            .map(|r| r.unrecoverable),
        Some(5),
        "the app can still show it"
    );
}
