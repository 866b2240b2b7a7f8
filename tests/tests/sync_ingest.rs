//! Pushes at once, over real HTTP to the real server binary: devices that push together (and so
//! share the server's commits) each get every change applied exactly once while another
//! device's bad pushes are refused beside them; the same push sent twice at once is applied
//! once and answered `duplicate` the second time.

use std::sync::{Arc, Barrier};

use onsite_core::Store;
use onsite_core::sync::apply::pending_mutations;
use onsite_core::sync::client::SyncClient;
use onsite_core::sync::wire::{Outcome, PushRequest, PushResponse};
use onsite_core::work_orders::status::{Role, Status};
use onsite_tests::scenario::{World, dispatch, world};
use onsite_tests::server::Http;
use serde_json::json;
use tempfile::TempDir;
use uuid::Uuid;

const DEVICES: usize = 4;
const ROUNDS: usize = 5;
const NOTES_PER_ROUND: usize = 3;

/// A new engineer with a job on site on their own synced device.
fn engineer_on_site(w: &World, dir: &TempDir, name: &str) -> (Arc<Store>, String, Uuid) {
    let user = w
        .dispatcher
        .post("/v1/users", json!({ "name": name, "role": "engineer" }));
    let token = w.dispatcher.post(
        &format!("/v1/users/{}/tokens", user["id"].as_str().expect("id")),
        json!({}),
    )["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let job = dispatch(&w.dispatcher, &format!("WO-{name}"), name);
    let store = Arc::new(Store::open(dir.path().join(format!("{name}.db"))).expect("device"));
    let client = SyncClient::new(&w.server.url, &token).expect("client");
    client.sync_now(&store).expect("first sync");
    for to in [Status::Accepted, Status::OnSite] {
        store
            .set_status(job, to, Role::Engineer, None)
            .expect("move");
    }
    client.sync_now(&store).expect("sync");
    (store, token, job)
}

/// The server's database, read beside the running server (WAL: it never waits for it).
fn server_count(w: &World, sql: &str, param: &str) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        w.dir.path().join("server").join("onsite-server.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("server database");
    conn.query_row(sql, [param], |r| r.get(0)).expect("count")
}

#[test]
fn devices_pushing_at_once_get_every_change_applied_once_beside_refused_pushes() {
    let w = world();
    let dir = TempDir::new().expect("temp dir");
    let devices: Vec<_> = (0..DEVICES)
        .map(|i| engineer_on_site(&w, &dir, &format!("eng-{i}")))
        .collect();
    let start = Arc::new(Barrier::new(DEVICES + 1));
    let threads: Vec<_> = devices
        .iter()
        .map(|(store, token, job)| {
            let (store, token, job, url) =
                (store.clone(), token.clone(), *job, w.server.url.clone());
            let start = start.clone();
            std::thread::spawn(move || {
                let client = SyncClient::new(&url, &token).expect("client");
                start.wait();
                let mut applied = 0;
                for round in 0..ROUNDS {
                    for n in 0..NOTES_PER_ROUND {
                        store
                            .add_note(job, format!("round {round} note {n}"))
                            .expect("note");
                    }
                    let report = client.sync_now(&store).expect("round");
                    assert_eq!(report.pending, 0, "{report:?}");
                    applied += report.push.applied;
                }
                applied
            })
        })
        .collect();
    // Beside them, a device whose pushes skip seqs: refused every time, and refused alone.
    let gaps = {
        let (url, token) = (w.server.url.clone(), w.tokens[0].clone());
        let start = start.clone();
        std::thread::spawn(move || {
            let http = Http::new(&url, &token);
            let client_id = Uuid::now_v7();
            start.wait();
            (0..ROUNDS)
                .map(|_| {
                    let body = json!({ "client_id": client_id, "mutations": [{
                        "seq": 5, "mutation_id": Uuid::now_v7(), "entity": "note",
                        "row_id": Uuid::now_v7(), "op": "insert", "payload": {},
                        "hlc": "0000000000001-0000-00000000000000000000000000000000" }] });
                    http.call("POST", "/v1/sync/push", Some(&body))
                })
                .collect::<Vec<_>>()
        })
    };
    let applied: Vec<u64> = threads
        .into_iter()
        .map(|t| t.join().expect("device"))
        .collect();
    let expected = (ROUNDS * NOTES_PER_ROUND) as u64;
    assert!(applied.iter().all(|&a| a == expected), "{applied:?}");
    for (status, body) in gaps.join().expect("gaps") {
        assert_eq!(
            (status, body["error"].as_str()),
            (409, Some("gap")),
            "{body}"
        );
    }
    for (store, _, job) in &devices {
        let job = job.to_string();
        assert_eq!(
            server_count(
                &w,
                "SELECT count(*) FROM notes WHERE work_order_id = ?1",
                &job
            ),
            i64::try_from(expected).expect("small"),
            "every note on the server exactly once"
        );
        let client = store.client_id().to_string();
        let last = store
            .read(|c| Ok(c.query_row("SELECT max(seq) FROM outbox", [], |r| r.get::<_, i64>(0))?))
            .expect("seq");
        assert_eq!(
            server_count(
                &w,
                "SELECT last_applied_seq FROM clients WHERE client_id = ?1",
                &client
            ),
            last
        );
        assert_eq!(
            server_count(
                &w,
                "SELECT count(*) FROM applied WHERE client_id = ?1",
                &client
            ),
            last,
            "one applied row per seq"
        );
    }
}

#[test]
fn the_same_push_sent_twice_at_once_is_applied_once() {
    let w = world();
    let dir = TempDir::new().expect("temp dir");
    let (store, token, job) = engineer_on_site(&w, &dir, "eng-twice");
    for n in 0..20 {
        store.add_note(job, format!("note {n}")).expect("note");
    }
    let req = PushRequest {
        client_id: store.client_id(),
        mutations: store.read(|c| pending_mutations(c, 100)).expect("outbox"),
    };
    let body = serde_json::to_value(&req).expect("json");
    let start = Arc::new(Barrier::new(2));
    let answers: Vec<PushResponse> = (0..2)
        .map(|_| {
            let (url, token, body, start) = (
                w.server.url.clone(),
                token.clone(),
                body.clone(),
                start.clone(),
            );
            std::thread::spawn(move || {
                let http = Http::new(&url, &token);
                start.wait();
                let (status, answer) = http.call("POST", "/v1/sync/push", Some(&body));
                assert_eq!(status, 200, "{answer}");
                serde_json::from_value(answer).expect("push answer")
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("push"))
        .collect();
    for (i, m) in req.mutations.iter().enumerate() {
        let outcomes: Vec<&Outcome> = answers.iter().map(|a| &a.results[i]).collect();
        let applied = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Applied { seq, .. } if *seq == m.seq))
            .count();
        let duplicate = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Duplicate { seq, .. } if *seq == m.seq))
            .count();
        assert_eq!((applied, duplicate), (1, 1), "seq {}: {outcomes:?}", m.seq);
    }
    assert_eq!(
        server_count(
            &w,
            "SELECT count(*) FROM notes WHERE work_order_id = ?1",
            &job.to_string()
        ),
        20
    );
    // The device's own round afterwards finds everything answered already.
    let report = SyncClient::new(&w.server.url, &token)
        .expect("client")
        .sync_now(&store)
        .expect("round");
    assert_eq!((report.push.rejected, report.pending), (0, 0), "{report:?}");
}
