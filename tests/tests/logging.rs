//! The real server's log as JSON (`--log-format json`): one object per line; every request has
//! a line with its route template, status and latency, in a span whose id is the request's
//! `x-request-id` header; pushes, pulls and refusals have theirs with counts and codes; and no
//! account name appears.

use onsite_core::sync::wire::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use onsite_tests::server::{Http, Server};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

/// The log's events with this message.
fn events<'a>(log: &'a [Value], message: &str) -> Vec<&'a Value> {
    log.iter()
        .filter(|e| e["fields"]["message"] == message)
        .collect()
}

#[test]
fn json_logs_are_one_object_per_line_with_request_ids_routes_counts_and_codes() {
    let dir = TempDir::new().expect("temp dir");
    let data = dir.path().join("server");
    let admin_token = Server::create_admin(&data, "Ada Admin");
    let (server, log) = Server::start_logging(&data, &["--log-format", "json", "RUST_LOG=info"]);
    let admin = Http::new(&server.url, &admin_token);
    let engineer = admin.post(
        "/v1/users",
        json!({ "name": "Jana Nowak", "role": "engineer" }),
    );
    let engineer_id = engineer["id"].as_str().expect("id").to_owned();
    let token = admin.post(&format!("/v1/users/{engineer_id}/tokens"), json!({}))["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let http = reqwest::blocking::Client::new();
    let device = |req: reqwest::blocking::RequestBuilder| {
        req.bearer_auth(&token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .send()
            .expect("server answers")
    };

    let pulled = device(http.get(format!("{}/v1/sync/pull?cursor=0", server.url)));
    assert_eq!(pulled.status(), 200);
    let pull_id = pulled
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("an x-request-id header")
        .to_owned();
    assert!(Uuid::parse_str(&pull_id).is_ok(), "{pull_id}");
    let client_id = Uuid::now_v7();
    let empty = device(
        http.post(format!("{}/v1/sync/push", server.url))
            .json(&json!({ "client_id": client_id, "mutations": [] })),
    );
    assert_eq!(empty.status(), 200);
    let hlc = format!(
        "{:015}-{:010}-{}",
        chrono::Utc::now().timestamp_millis(),
        0,
        Uuid::now_v7()
    );
    let gap = device(http.post(format!("{}/v1/sync/push", server.url)).json(&json!({
        "client_id": client_id,
        "mutations": [{ "seq": 5, "mutation_id": Uuid::now_v7(), "entity": "note", "row_id": Uuid::now_v7(),
                        "op": "insert", "payload": { "body": "Frau Nowak was not at home" }, "hlc": hlc }],
    })));
    assert_eq!(gap.status(), 409);
    let forbidden = device(http.get(format!("{}/v1/conflicts", server.url)));
    assert_eq!(forbidden.status(), 403);
    let stranger = http
        .get(format!("{}/v1/work-orders", server.url))
        .send()
        .expect("server answers");
    assert_eq!(stranger.status(), 401);
    server.stop();
    let text = log.text();

    let log: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}")))
        .collect();
    assert!(log.len() >= 10, "{text}");
    for event in &log {
        assert!(event.is_object(), "{event}");
        for key in ["timestamp", "level", "target", "fields"] {
            assert!(event.get(key).is_some(), "no {key} in {event}");
        }
    }
    let requests = events(&log, "request");
    assert!(requests.len() >= 7, "{text}");
    let pull_line = requests
        .iter()
        .find(|e| e["span"]["id"] == pull_id.as_str())
        .expect("the pull's request line carries its x-request-id");
    assert_eq!(pull_line["span"]["method"], "GET");
    assert_eq!(pull_line["span"]["route"], "/v1/sync/pull");
    assert_eq!(pull_line["fields"]["status"], 200);
    assert!(pull_line["fields"]["latency_ms"].is_number());
    assert!(
        requests
            .iter()
            .any(|e| e["span"]["route"] == "/v1/users/{id}/tokens"),
        "routes are logged as templates: {text}"
    );

    let pull = events(&log, "pull");
    assert_eq!(pull.len(), 1, "{text}");
    assert_eq!(pull[0]["fields"]["user"], engineer_id.as_str());
    assert_eq!(pull[0]["fields"]["cursor"], 0);
    assert!(pull[0]["fields"]["rows"].is_number());
    assert_eq!(
        pull[0]["span"]["id"],
        pull_id.as_str(),
        "inside its request"
    );
    let pushes = events(&log, "push");
    let outcomes: Vec<&Value> = pushes.iter().map(|e| &e["fields"]["outcome"]).collect();
    assert_eq!(outcomes, [&json!("ok"), &json!("gap")], "{text}");
    assert_eq!(pushes[0]["fields"]["client"], client_id.to_string());
    assert_eq!(pushes[0]["fields"]["mutations"], 0);
    assert_eq!(pushes[1]["fields"]["mutations"], 1);

    let refusals: Vec<(&Value, &Value, &Value)> = events(&log, "request refused")
        .iter()
        .map(|e| {
            (
                &e["fields"]["status"],
                &e["fields"]["code"],
                &e["fields"]["kind"],
            )
        })
        .collect();
    assert_eq!(
        refusals,
        [
            (&json!(409), &json!("gap"), &json!("gap")),
            (&json!(403), &json!("forbidden"), &json!("back_office_only")),
            (&json!(401), &json!("unauthorized"), &json!("unauthorized")),
        ],
        "{text}"
    );
    for personal in ["Ada Admin", "Jana Nowak", "Nowak", "not at home", &token] {
        assert!(!text.contains(personal), "{personal:?} in the log:\n{text}");
    }
}
