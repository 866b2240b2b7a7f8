//! End to end over real HTTP: the real `onsite-server` binary on a loopback port, real device
//! stores in temp dirs. Dispatch -> visit offline -> sync -> the back office's report; and the
//! exactly-once rules of push: duplicates, gaps, rejections that do not block, scope, auth.

use chrono::Utc;
use onsite_core::Store;
use onsite_core::report::Signature;
use onsite_core::sync::client::SyncClient;
use onsite_core::work_orders::status::{Role, Status};
use onsite_tests::complete_visit;
use onsite_tests::scenario::{dispatch, world};
use onsite_tests::server::Http;
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

fn device(dir: &TempDir, name: &str) -> Store {
    Store::open(dir.path().join(format!("{name}.db"))).expect("device store")
}

fn outbox_mutations(store: &Store) -> Vec<Value> {
    store
        .read(|c| {
            let mut stmt = c.prepare("SELECT seq, mutation_id, entity, row_id, op, payload, hlc FROM outbox ORDER BY seq")?;
            let rows = stmt.query_map([], |r| {
                Ok(json!({ "seq": r.get::<_, i64>(0)?, "mutation_id": r.get::<_, String>(1)?, "entity": r.get::<_, String>(2)?,
                           "row_id": r.get::<_, String>(3)?, "op": r.get::<_, String>(4)?,
                           "payload": serde_json::from_str::<Value>(&r.get::<_, String>(5)?).unwrap_or(Value::Null),
                           "hlc": r.get::<_, String>(6)? }))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("outbox")
}

#[test]
fn dispatch_visit_offline_sync_and_the_back_office_gets_the_signed_report() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-100", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let a = device(&dir, "a");
    let client = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");

    let first = client.sync_now(&a).expect("first sync");
    assert!(first.pulled >= 4, "customer, site, asset, job: {first:?}");
    let today = a.todays_jobs(0).expect("today");
    assert_eq!(
        today.iter().map(|j| j.number.as_str()).collect::<Vec<_>>(),
        ["WO-100"]
    );
    assert_eq!(
        a.job_detail(job).expect("detail").site.access_notes,
        "Ring twice"
    );

    complete_visit(&a, job); // no network involved: all local
    let waiting = a.pending_sync_count().expect("pending");
    assert_eq!(waiting, 13);
    let report = client.sync_now(&a).expect("sync after the visit");
    assert_eq!(
        (
            report.pushed,
            report.push.applied,
            report.push.rejected,
            report.pending
        ),
        (13, 13, 0, 0)
    );

    let device_report = a.service_report(job).expect("device report");
    let office = w.dispatcher.get(&format!("/v1/work-orders/{job}/report"));
    assert_eq!(
        office["sha256"], device_report.sha256,
        "the server rebuilt the very report the customer signed"
    );
    assert_eq!(office["signature"]["state"], "signed");
    assert!(matches!(device_report.signature, Signature::Signed { .. }));

    // The same push sent again applies nothing new.
    let again = Http::new(&w.server.url, &w.tokens[0]).call(
        "POST",
        "/v1/sync/push",
        Some(&json!({ "client_id": a.client_id(), "mutations": outbox_mutations(&a) })),
    );
    assert_eq!(again.0, 200, "{}", again.1);
    assert!(
        again.1["results"]
            .as_array()
            .expect("results")
            .iter()
            .all(|r| r["outcome"] == "duplicate")
    );
    assert_eq!(
        w.dispatcher.get(&format!("/v1/work-orders/{job}/report"))["sha256"],
        device_report.sha256
    );

    // A gap is refused with the expected seq.
    let mut late = outbox_mutations(&a).pop().expect("a mutation");
    late["seq"] = json!(40);
    let gap = Http::new(&w.server.url, &w.tokens[0]).call(
        "POST",
        "/v1/sync/push",
        Some(&json!({ "client_id": a.client_id(), "mutations": [late] })),
    );
    assert_eq!(
        (
            gap.0,
            gap.1["error"].as_str(),
            gap.1["expected_seq"].as_i64()
        ),
        (409, Some("gap"), Some(14))
    );
}

#[test]
fn a_rejected_mutation_is_logged_and_does_not_block_later_ones() {
    let w = world();
    let cancelled = dispatch(&w.dispatcher, "WO-200", "eng-b");
    let kept = dispatch(&w.dispatcher, "WO-201", "eng-b");
    let dir = TempDir::new().expect("temp dir");
    let b = device(&dir, "b");
    let client = SyncClient::new(&w.server.url, &w.tokens[1]).expect("client");
    client.sync_now(&b).expect("first sync");
    // The office cancels WO-200 while the engineer, offline, accepts both jobs.
    w.dispatcher.post(
        &format!("/v1/work-orders/{cancelled}/status"),
        json!({ "to": "cancelled", "reason": "Customer called off" }),
    );
    b.set_status(cancelled, Status::Accepted, Role::Engineer, None)
        .expect("accept offline");
    b.set_status(kept, Status::Accepted, Role::Engineer, None)
        .expect("accept offline");
    let report = client.sync_now(&b).expect("sync");
    assert_eq!(
        (report.push.applied, report.push.rejected, report.pending),
        (1, 1, 0)
    );
    let log = b.conflicts(false).expect("conflict log");
    assert_eq!(log.len(), 1);
    assert!(
        log[0].reason.contains("cancelled -> accepted"),
        "{}",
        log[0].reason
    );
    assert_eq!(
        b.find_work_order("WO-200").expect("job").status,
        Status::Cancelled,
        "the server's outcome reached the device"
    );
    assert_eq!(
        b.find_work_order("WO-201").expect("job").status,
        Status::Accepted
    );
    // The same push again (its answer lost on the way): the refusal is answered again, with
    // its reason, so a device that missed it still takes the change back; the other is a
    // duplicate.
    let again = Http::new(&w.server.url, &w.tokens[1]).post(
        "/v1/sync/push",
        json!({ "client_id": b.client_id(), "mutations": outbox_mutations(&b) }),
    );
    let outcomes: Vec<&str> = again["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["outcome"].as_str().expect("outcome"))
        .collect();
    assert_eq!(outcomes, ["rejected", "duplicate"]);
    assert!(
        again["results"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("cancelled -> accepted"))
    );
}

#[test]
fn engineers_see_and_change_only_their_own_jobs_and_bad_requests_are_refused() {
    let w = world();
    let mine = dispatch(&w.dispatcher, "WO-300", "eng-a");
    let theirs = dispatch(&w.dispatcher, "WO-301", "eng-b");
    let dir = TempDir::new().expect("temp dir");
    let a = device(&dir, "a");
    SyncClient::new(&w.server.url, &w.tokens[0])
        .expect("client")
        .sync_now(&a)
        .expect("sync");
    assert!(a.find_work_order("WO-300").is_ok());
    assert!(
        a.find_work_order("WO-301").is_err(),
        "another engineer's job never reaches this device"
    );
    let eng_a = Http::new(&w.server.url, &w.tokens[0]);
    let pulled = eng_a.get("/v1/sync/pull?cursor=0");
    assert!(!pulled.to_string().contains(&theirs.to_string()));

    // A note on eng-b's job, pushed by eng-a: rejected, seq used up.
    let note = json!({ "seq": 1, "mutation_id": Uuid::now_v7(), "entity": "note", "row_id": Uuid::now_v7(), "op": "insert",
                       "payload": { "work_order_id": theirs, "body": "x", "recorded_at": Utc::now() },
                       "hlc": format!("{:015}-{:010}-{}", Utc::now().timestamp_millis(), 0, Uuid::now_v7()) });
    let client_id = Uuid::now_v7();
    let (status, body) = eng_a.call(
        "POST",
        "/v1/sync/push",
        Some(&json!({ "client_id": client_id, "mutations": [note] })),
    );
    assert_eq!(status, 200);
    assert_eq!(body["results"][0]["outcome"], "rejected");
    assert!(
        body["results"][0]["reason"]
            .as_str()
            .expect("reason")
            .contains("assigned to someone else")
    );
    // Another account pushing for that client id: 403.
    let eng_b = Http::new(&w.server.url, &w.tokens[1]);
    assert_eq!(
        eng_b
            .call(
                "POST",
                "/v1/sync/push",
                Some(&json!({ "client_id": client_id, "mutations": [] }))
            )
            .0,
        403
    );
    // Engineers cannot use the back office.
    assert_eq!(
        eng_a
            .call("POST", "/v1/customers", Some(&json!({ "name": "X" })))
            .0,
        403
    );
    assert_eq!(
        eng_a
            .call("GET", &format!("/v1/work-orders/{mine}/report"), None)
            .0,
        403
    );

    // Wrong, missing and revoked tokens; protocol; malformed and unknown fields; size; ids.
    assert_eq!(
        Http::new(&w.server.url, "ons_wrong")
            .call("GET", "/v1/sync/pull?cursor=0", None)
            .0,
        401
    );
    w.dispatcher.call(
        "POST",
        "/v1/tokens/revoke",
        Some(&json!({ "token": w.tokens[1] })),
    );
    assert_eq!(eng_b.call("GET", "/v1/sync/pull?cursor=0", None).0, 401);
    let raw = reqwest::blocking::Client::new();
    let status = raw
        .get(format!("{}/v1/sync/pull?cursor=0", w.server.url))
        .bearer_auth(&w.tokens[0])
        .send()
        .expect("answer")
        .status();
    assert_eq!(status.as_u16(), 400, "no protocol header");
    let bad_json = raw
        .post(format!("{}/v1/customers", w.server.url))
        .bearer_auth(&w.dispatcher_token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .expect("answer");
    assert_eq!(bad_json.status().as_u16(), 400);
    assert_eq!(
        eng_a
            .call(
                "POST",
                "/v1/sync/push",
                Some(&json!({ "client_id": client_id, "mutations": [], "extra": 1 }))
            )
            .0,
        422
    );
    assert_eq!(
        w.dispatcher
            .call(
                "POST",
                &format!("/v1/work-orders/{}/assign", Uuid::now_v7()),
                Some(&json!({ "engineer": "eng-a" }))
            )
            .0,
        404
    );
    let (status, body) = w
        .dispatcher
        .call("POST", "/v1/customers", Some(&json!({ "name": "" })));
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid")));
    // Over the body limit: 413 (its own client: the server closes that connection).
    let huge = json!({ "name": "x".repeat(2 * 1024 * 1024) });
    let (status, body) =
        Http::new(&w.server.url, &w.dispatcher_token).call("POST", "/v1/customers", Some(&huge));
    assert_eq!((status, body["error"].as_str()), (413, Some("too_large")));
}

#[test]
fn a_reassigned_job_leaves_the_old_engineers_phone_after_their_edits_are_answered() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-400", "eng-a");
    let kept = dispatch(&w.dispatcher, "WO-401", "eng-a");
    let dir = TempDir::new().expect("temp dir");
    let a = device(&dir, "a");
    let b = device(&dir, "b");
    let client_a = SyncClient::new(&w.server.url, &w.tokens[0]).expect("client");
    client_a.sync_now(&a).expect("sync");
    a.set_status(job, Status::Accepted, Role::Engineer, None)
        .expect("accept");
    client_a.sync_now(&a).expect("sync the acceptance");
    a.add_note(job, "Customer asked to call ahead".into())
        .expect("note offline");
    w.dispatcher.post(
        &format!("/v1/work-orders/{job}/assign"),
        json!({ "engineer": "eng-b" }),
    );

    let round = client_a.sync_now(&a).expect("sync after the reassignment");
    assert_eq!(
        (round.push.rejected, round.pending),
        (1, 0),
        "the note was answered (refused) before the job left"
    );
    assert!(
        a.find_work_order("WO-400").is_err(),
        "the job left eng-a's phone"
    );
    assert!(a.visit_record(job).is_err());
    assert!(
        a.find_work_order("WO-401").is_ok(),
        "eng-a's other job stays"
    );
    assert!(a.job_detail(kept).expect("detail").customer.name == "Paul Klein");
    let log = a.conflicts(false).expect("log");
    assert!(
        log[0]
            .local_value
            .as_deref()
            .unwrap_or_default()
            .contains("Customer asked to call ahead"),
        "the refused note is kept in the conflict log"
    );

    SyncClient::new(&w.server.url, &w.tokens[1])
        .expect("client")
        .sync_now(&b)
        .expect("eng-b syncs");
    let detail = b
        .job_detail(job)
        .expect("eng-b has the job with customer, site and asset");
    assert_eq!(detail.work_order.assignee.as_deref(), Some("eng-b"));
    // Pulled records carry the server's stamps: eng-b's phone lists them in the same order.
    let stamps = |s: &Store| {
        s.read(|c| {
            let mut stmt = c.prepare(
                "SELECT row_stamp FROM status_changes WHERE work_order_id = ?1 ORDER BY row_stamp",
            )?;
            let rows = stmt.query_map([job.to_string()], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("stamps")
    };
    let server =
        Store::open(w.dir.path().join("server").join("onsite-server.db")).expect("server db");
    assert!(!stamps(&b).is_empty());
    assert_eq!(stamps(&b), stamps(&server));
}

fn note(seq: i64, row_id: Uuid, job: Uuid, wall_ms: i64) -> Value {
    json!({ "seq": seq, "mutation_id": Uuid::now_v7(), "entity": "note", "row_id": row_id, "op": "insert",
            "payload": { "work_order_id": job, "body": "Checked the hose", "recorded_at": Utc::now() },
            "hlc": format!("{wall_ms:015}-{:010}-{}", 0, Uuid::now_v7()) })
}

#[test]
fn reused_ids_future_clocks_and_privilege_escalation_are_refused_without_blocking() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-500", "eng-a");
    let eng_a = Http::new(&w.server.url, &w.tokens[0]);
    let (client_id, now) = (Uuid::now_v7(), Utc::now().timestamp_millis());
    w.dispatcher.post(
        &format!("/v1/work-orders/{job}/status"),
        json!({ "to": "new", "reason": "re-plan" }),
    );
    w.dispatcher.post(
        &format!("/v1/work-orders/{job}/assign"),
        json!({ "engineer": "eng-a" }),
    );
    let moves: Vec<Value> = ["accepted", "on_site"]
        .iter()
        .enumerate()
        .map(|(i, to)| {
            json!({ "seq": i as i64 + 1, "mutation_id": Uuid::now_v7(), "entity": "work_order", "row_id": job, "op": "transition",
                    "payload": { "status_change_id": Uuid::now_v7(), "from": "x", "to": to, "role": "engineer", "reason": null, "at": Utc::now() },
                    "hlc": format!("{now:015}-{i:010}-{}", Uuid::now_v7()) })
        })
        .collect();
    let reused = Uuid::now_v7();
    let mut mutations = moves;
    mutations.extend([
        note(3, reused, job, now),
        note(4, reused, job, now), // the same row id again
        note(5, Uuid::now_v7(), job, now),
    ]);
    let (status, body) = eng_a.call(
        "POST",
        "/v1/sync/push",
        Some(&json!({ "client_id": client_id, "mutations": mutations })),
    );
    assert_eq!(status, 200, "{body}");
    let outcomes: Vec<&str> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["outcome"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        outcomes,
        ["applied", "applied", "applied", "rejected", "applied"]
    );
    assert_eq!(body["last_applied_seq"], 5);

    // A stamp an hour ahead of the server's clock: the whole push is answered clock_ahead with
    // the server's time, and nothing is applied or used up; stamped again, it goes through.
    let push = |m: Value| {
        eng_a.call(
            "POST",
            "/v1/sync/push",
            Some(&json!({ "client_id": client_id, "mutations": [m] })),
        )
    };
    let later = Uuid::now_v7();
    let (status, body) = push(note(6, later, job, now + 3_600_000));
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("clock_ahead")),
        "{body}"
    );
    assert!(body["server_time_ms"].as_i64().is_some_and(|t| t >= now));
    let (status, body) = push(note(6, later, job, now));
    assert_eq!(
        (status, body["results"][0]["outcome"].as_str()),
        (200, Some("applied"))
    );

    // A dispatcher creates and issues tokens for engineers only: not for itself or an admin.
    assert_eq!(
        w.dispatcher
            .call(
                "POST",
                "/v1/users",
                Some(&json!({ "name": "boss", "role": "admin" }))
            )
            .0,
        403
    );
    let (status, body) = w.dispatcher.call(
        "POST",
        &format!("/v1/users/{}/tokens", w.dispatcher_id),
        Some(&json!({})),
    );
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
    let engineer = w
        .dispatcher
        .post("/v1/users", json!({ "name": "eng-c", "role": "engineer" }));
    w.dispatcher.post(
        &format!("/v1/users/{}/tokens", engineer["id"].as_str().expect("id")),
        json!({}),
    );
}

#[test]
fn a_seq_reused_for_another_change_is_refused_not_acknowledged_as_a_retry() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-600", "eng-a");
    let eng_a = Http::new(&w.server.url, &w.tokens[0]);
    let client_id = Uuid::now_v7();
    let now = Utc::now().timestamp_millis();
    let first = json!({ "seq": 1, "mutation_id": Uuid::now_v7(), "entity": "work_order", "row_id": job, "op": "transition",
                        "payload": { "status_change_id": Uuid::now_v7(), "from": "assigned", "to": "accepted", "role": "engineer", "reason": null, "at": Utc::now() },
                        "hlc": format!("{now:015}-{:010}-{}", 0, Uuid::now_v7()) });
    let push = |m: &Value| {
        eng_a.call(
            "POST",
            "/v1/sync/push",
            Some(&json!({ "client_id": client_id, "mutations": [m] })),
        )
    };
    assert_eq!(push(&first).1["results"][0]["outcome"], "applied");
    assert_eq!(
        push(&first).1["results"][0]["outcome"],
        "duplicate",
        "a true retry"
    );
    // A restored copy of the store sends its own, different change as seq 1.
    let other = note(1, Uuid::now_v7(), job, now);
    let (status, body) = push(&other);
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("seq_reused")),
        "{body}"
    );
}
