//! The server's HTTP surface, against the real binary: the generated OpenAPI document covers
//! every route and resolves; bodies are gzip in both directions and an inflated body is held to
//! the size limit; the back office lists and filters jobs and edits rows, and every bad edit is
//! a typed JSON error that changes nothing.

use std::io::Write;

use chrono::{Duration, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use onsite_tests::scenario::{dispatch, world};
use onsite_tests::server::Http;
use serde_json::{Value, json};

/// Every route the server has, by method and path template.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/openapi.json"),
    ("post", "/v1/users"),
    ("post", "/v1/users/{id}/tokens"),
    ("post", "/v1/tokens/revoke"),
    ("post", "/v1/customers"),
    ("patch", "/v1/customers/{id}"),
    ("post", "/v1/customers/{id}/sites"),
    ("post", "/v1/customers/{id}/contracts"),
    ("patch", "/v1/sites/{id}"),
    ("post", "/v1/sites/{id}/assets"),
    ("patch", "/v1/assets/{id}"),
    ("post", "/v1/work-orders"),
    ("get", "/v1/work-orders"),
    ("patch", "/v1/work-orders/{id}"),
    ("post", "/v1/work-orders/{id}/assign"),
    ("post", "/v1/work-orders/{id}/status"),
    ("get", "/v1/work-orders/{id}/report"),
    ("get", "/v1/conflicts"),
    ("post", "/v1/conflicts/{id}/seen"),
    ("post", "/v1/sync/push"),
    ("get", "/v1/sync/pull"),
    ("get", "/v1/sync/snapshot"),
];

#[test]
fn openapi_describes_every_route_and_every_reference_resolves() {
    let w = world();
    let doc = Http::new(&w.server.url, "none").get("/openapi.json");
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, ops)| {
            let ops = ops.as_object().expect("operations");
            ops.keys().map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    documented.sort();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            for (status, response) in op["responses"].as_object().expect("responses") {
                assert!(
                    response["headers"][onsite_core::sync::wire::SERVER_ID_HEADER].is_object(),
                    "{method} {path} {status} declares the server identity header"
                );
            }
        }
    }
    let mut expected: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);

    // Every documented operation is routed: a call reaches a handler (never the router's own
    // 404 for no route, `no such endpoint`, or its 405).
    for (method, path) in ROUTES {
        let concrete = path.replace("{id}", "0196f000-0000-7000-8000-000000000000");
        let (status, body) = w.dispatcher.call(&method.to_uppercase(), &concrete, None);
        assert!(
            status != 405 && body["message"] != "no such endpoint",
            "{method} {path} is documented but not routed ({status})"
        );
    }

    // Every operation behind a token declares the bearer scheme and every status it can
    // answer, each error a JSON ErrorBody; the device endpoints declare the protocol header.
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (method, path) in ROUTES {
        let op = &doc["paths"][path][method];
        let open = ["/healthz", "/openapi.json"].contains(path);
        assert_eq!(op["security"].is_array(), !open, "{method} {path} security");
        if open {
            continue;
        }
        let mut statuses = vec!["400", "401", "403", "404", "409", "500"];
        if op["requestBody"].is_object() {
            statuses.extend(["413", "415", "422"]);
        }
        for status in statuses {
            assert_eq!(
                op["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{method} {path} {status}"
            );
        }
        let protocol = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == "onsite-protocol");
        if path.starts_with("/v1/sync/") {
            let header = protocol.expect("the protocol header");
            assert_eq!(header["in"], "header");
            assert_eq!(header["required"], true);
            assert_eq!(
                header["schema"]["enum"],
                json!([onsite_core::sync::wire::PROTOCOL_VERSION])
            );
        } else {
            assert!(protocol.is_none(), "{method} {path}");
        }
    }

    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().expect("name");
        assert!(
            schemas.contains_key(name),
            "{name} is referenced but not defined"
        );
    }
    for name in [
        "PushRequest",
        "PullResponse",
        "WorkOrder",
        "ReportView",
        "ErrorBody",
    ] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
}

#[test]
fn bodies_are_gzip_both_ways_and_an_inflated_body_is_held_to_the_limit() {
    let w = world();
    let raw = reqwest::blocking::Client::builder()
        .no_gzip()
        .build()
        .expect("client");
    let resp = raw
        .get(format!("{}/openapi.json", w.server.url))
        .header("accept-encoding", "gzip")
        .send()
        .expect("answer");
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let compressed = resp.bytes().expect("body").len();
    let plain = Http::new(&w.server.url, "none")
        .get("/openapi.json")
        .to_string()
        .len();
    assert!(
        compressed * 3 < plain,
        "{compressed} bytes gzip vs {plain} plain"
    );

    // A gzip body (what the device's sync client sends) is inflated and read...
    let gzip = |json: &[u8]| {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(json).expect("compress");
        e.finish().expect("compress")
    };
    let post = |body: Vec<u8>| {
        raw.post(format!("{}/v1/customers", w.server.url))
            .bearer_auth(&w.dispatcher_token)
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(body)
            .send()
            .expect("answer")
    };
    let ok = post(gzip(br#"{"name": "Jana Vogel"}"#));
    assert_eq!(ok.status(), 200);
    // ...and 9 MB of JSON that gzip squeezes into a few KB is still over the 8 MB limit.
    let mut bomb = b"{\"name\": \"Jana\", \"phone\": \"".to_vec();
    bomb.extend(std::iter::repeat_n(b'1', 9 * 1024 * 1024));
    bomb.extend(b"\"}");
    let packed = gzip(&bomb);
    assert!(packed.len() < 64 * 1024);
    let refused = post(packed);
    assert_eq!(refused.status(), 413);
    let body: Value = refused.json().expect("JSON error");
    assert_eq!(body["error"], "too_large");
}

#[test]
fn the_back_office_lists_and_filters_work_orders() {
    let w = world();
    let a1 = dispatch(&w.dispatcher, "WO-1", "eng-a");
    let a2 = dispatch(&w.dispatcher, "WO-2", "eng-a");
    let b1 = dispatch(&w.dispatcher, "WO-3", "eng-b");
    let tomorrow = Utc::now() + Duration::days(1);
    w.dispatcher.patch(
        &format!("/v1/work-orders/{a2}"),
        json!({ "window_start": tomorrow, "window_end": tomorrow + Duration::hours(3) }),
    );
    w.dispatcher.post(
        &format!("/v1/work-orders/{b1}/status"),
        json!({ "to": "cancelled", "reason": "Duplicate booking" }),
    );
    let numbers = |query: &str| -> Vec<String> {
        w.dispatcher
            .get(&format!("/v1/work-orders{query}"))
            .as_array()
            .expect("list")
            .iter()
            .map(|wo| wo["number"].as_str().expect("number").to_owned())
            .collect()
    };
    assert_eq!(
        numbers(""),
        ["WO-1", "WO-3", "WO-2"],
        "earliest appointment first"
    );
    assert_eq!(numbers("?engineer=eng-a"), ["WO-1", "WO-2"]);
    assert_eq!(numbers("?status=cancelled"), ["WO-3"]);
    let day = tomorrow.date_naive();
    assert_eq!(numbers(&format!("?date={day}")), ["WO-2"]);
    assert_eq!(
        numbers(&format!("?engineer=eng-a&status=assigned&date={day}")),
        ["WO-2"]
    );
    assert_eq!(numbers("?limit=1"), ["WO-1"]);
    let _ = a1;

    let (status, body) = w
        .dispatcher
        .call("GET", "/v1/work-orders?status=lost", None);
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid")));
    let (status, _) = w.dispatcher.call("GET", "/v1/work-orders?colour=red", None);
    assert_eq!(status, 400, "unknown filters are refused, not ignored");
    let engineer = Http::new(&w.server.url, &w.tokens[0]);
    let (status, _) = engineer.call("GET", "/v1/work-orders", None);
    assert_eq!(status, 403);
}

#[test]
fn bad_edits_are_typed_errors_and_change_nothing() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-1", "eng-a");
    let path = format!("/v1/work-orders/{job}");
    let before = w.dispatcher.get("/v1/work-orders");
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({ "colour": "red" }), 400, "invalid"),
        (json!({}), 400, "invalid"),
        (
            json!({ "window_start": "2026-11-24T09:00:00Z" }),
            400,
            "invalid",
        ),
        (
            json!({ "window_start": "2026-11-24T12:00:00Z", "window_end": "2026-11-24T09:00:00Z" }),
            400,
            "invalid",
        ),
        (
            json!({ "window_start": "2026-11-24T09:00:00Z", "window_end": "2026-11-26T09:00:00Z" }),
            400,
            "invalid",
        ),
        (json!({ "priority": "whenever" }), 400, "invalid"),
        (json!({ "priority": null }), 400, "invalid"),
        (json!({ "error_code": "x".repeat(65) }), 400, "invalid"),
        (json!({ "error_code": 11 }), 422, "invalid"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = w.dispatcher.call("PATCH", &path, Some(&body));
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(code)),
            "{body}: {answer}"
        );
    }
    let (got, _) = w.dispatcher.call(
        "PATCH",
        "/v1/work-orders/0196f000-0000-7000-8000-000000000000",
        Some(&json!({ "priority": "high" })),
    );
    assert_eq!(got, 404);
    let engineer = Http::new(&w.server.url, &w.tokens[0]);
    let (got, _) = engineer.call("PATCH", &path, Some(&json!({ "error_code": "F12" })));
    assert_eq!(
        got, 403,
        "the back-office API is not the engineer's; they edit through sync"
    );
    assert_eq!(
        w.dispatcher.get("/v1/work-orders"),
        before,
        "nothing changed"
    );

    // Back-office inputs refuse fields they do not know (a typo must not drop data silently).
    for (path, body) in [
        (
            "/v1/customers",
            json!({ "name": "Jana Vogel", "phnoe": "+49 30 1" }),
        ),
        (
            "/v1/work-orders",
            json!({ "number": "WO-9", "kind": "repair", "priority": "low",
            "customer_id": customer_of(&w.dispatcher, job), "site_id": null, "asset_id": null,
            "fault": { "symptom": "Noise" }, "window": { "window_start": Utc::now(),
            "window_end": Utc::now() + Duration::hours(1) }, "assignee": null,
            "follow_up_of": null, "notes": "x" }),
        ),
        (
            "/v1/work-orders",
            json!({ "number": "WO-9", "kind": "repair", "priority": "low",
            "customer_id": customer_of(&w.dispatcher, job), "site_id": null, "asset_id": null,
            "fault": { "symptom": "Noise", "eror_code": "E21" }, "window": { "window_start": Utc::now(),
            "window_end": Utc::now() + Duration::hours(1) } }),
        ),
    ] {
        let (got, answer) = w.dispatcher.call("POST", path, Some(&body));
        assert_eq!(
            (got, answer["error"].as_str()),
            (422, Some("invalid")),
            "{answer}"
        );
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains("unknown field"))
        );
    }
    assert_eq!(
        w.dispatcher.get("/v1/work-orders"),
        before,
        "nothing changed"
    );

    let moved = w.dispatcher.patch(
        &path,
        json!({ "priority": "emergency", "error_code": null }),
    );
    assert_eq!(moved["priority"], "emergency");
    assert_eq!(moved["error_code"], Value::Null);
}

/// The customer of a job, as the list shows it.
fn customer_of(office: &Http, job: uuid::Uuid) -> Value {
    let list = office.get("/v1/work-orders");
    list.as_array()
        .expect("list")
        .iter()
        .find(|wo| wo["id"] == json!(job))
        .expect("job listed")["customer_id"]
        .clone()
}

/// Checks an answer is a JSON `ErrorBody` with `status` and `code`, as the document promises.
fn assert_json_error(resp: reqwest::blocking::Response, status: u16, code: &str, what: &str) {
    assert_eq!(resp.status().as_u16(), status, "{what}");
    let content_type = resp.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(content_type, "application/json", "{what}");
    let body: Value = resp.json().expect("JSON");
    assert_eq!(body["error"], code, "{what}: {body}");
    assert!(body["message"].is_string(), "{what}: {body}");
    let fields: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(fields, ["error", "message"], "{what}: {body}");
}

#[test]
fn every_refusal_is_a_json_error_body() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-1", "eng-a");
    let http = reqwest::blocking::Client::new();
    let url = |path: &str| format!("{}{path}", w.server.url);
    let office = |method: reqwest::Method, path: &str| {
        http.request(method, url(path))
            .bearer_auth(&w.dispatcher_token)
    };
    use reqwest::Method;

    // A malformed id in the path (axum's own answer is text/plain).
    assert_json_error(
        office(Method::PATCH, "/v1/work-orders/not-a-uuid")
            .json(&json!({ "priority": "high" }))
            .send()
            .expect("answer"),
        400,
        "invalid",
        "malformed path id",
    );
    assert_json_error(
        office(Method::GET, "/v1/work-orders/12345/report")
            .send()
            .expect("answer"),
        400,
        "invalid",
        "malformed path id on a GET",
    );
    // Query strings: a wrong type, an unknown parameter, a negative cursor.
    for (path, code) in [
        ("/v1/work-orders?limit=many", "invalid"),
        ("/v1/work-orders?date=yesterday", "invalid"),
        ("/v1/conflicts?include_seen=maybe", "invalid"),
        ("/v1/sync/pull", "invalid"),
        ("/v1/sync/pull?cursor=x", "invalid"),
        ("/v1/sync/snapshot", "invalid"),
        ("/v1/sync/snapshot?schema=seven", "invalid"),
        ("/v1/sync/snapshot?schema=7&cursor=0", "invalid"),
    ] {
        assert_json_error(
            office(Method::GET, path)
                .header("onsite-protocol", "1")
                .send()
                .expect("answer"),
            400,
            code,
            path,
        );
    }
    // JSON syntax, shape, and media type.
    let post = |body: &'static str, content_type: Option<&str>| {
        let req = office(Method::POST, "/v1/customers").body(body);
        match content_type {
            Some(ct) => req.header("content-type", ct),
            None => req,
        }
        .send()
        .expect("answer")
    };
    assert_json_error(
        post("{\"name\": ", Some("application/json")),
        400,
        "invalid",
        "JSON syntax",
    );
    assert_json_error(
        post("{\"name\": 5}", Some("application/json")),
        422,
        "invalid",
        "JSON shape",
    );
    assert_json_error(
        post("{\"name\": \"x\"}", None),
        415,
        "unsupported_media_type",
        "no content type",
    );
    assert_json_error(
        post("{\"name\": \"x\"}", Some("text/plain")),
        415,
        "unsupported_media_type",
        "not JSON",
    );
    assert_json_error(
        office(Method::POST, "/v1/customers")
            .header("content-type", "application/json")
            .header("content-encoding", "br")
            .body("{}")
            .send()
            .expect("answer"),
        415,
        "unsupported_media_type",
        "unknown content encoding (made by the decompression layer)",
    );
    // Unknown routes and wrong methods; the 405 keeps its Allow header.
    assert_json_error(
        office(Method::GET, "/v1/nothing-here")
            .send()
            .expect("answer"),
        404,
        "not_found",
        "unknown route",
    );
    assert_json_error(
        http.get(url("/no/such/path")).send().expect("answer"),
        404,
        "not_found",
        "unknown route without a token",
    );
    let wrong = office(Method::DELETE, &format!("/v1/work-orders/{job}"))
        .send()
        .expect("answer");
    assert_eq!(wrong.headers()["allow"], "PATCH");
    assert_json_error(wrong, 405, "method_not_allowed", "wrong method");
    // No token, a wrong token, no protocol header.
    assert_json_error(
        http.get(url("/v1/work-orders")).send().expect("answer"),
        401,
        "unauthorized",
        "no token",
    );
    assert_json_error(
        http.get(url("/v1/work-orders"))
            .bearer_auth("wrong")
            .send()
            .expect("answer"),
        401,
        "unauthorized",
        "wrong token",
    );
    assert_json_error(
        office(Method::GET, "/v1/sync/pull?cursor=0")
            .send()
            .expect("answer"),
        400,
        "unsupported_protocol",
        "no protocol header",
    );
}

#[test]
fn refusals_by_the_rows_state_are_409_and_null_clears_access_notes() {
    let w = world();
    let job = dispatch(&w.dispatcher, "WO-1", "eng-a");
    let customer = customer_of(&w.dispatcher, job);
    let other = w
        .dispatcher
        .post("/v1/customers", json!({ "name": "Lena Roth" }));
    let contract = w.dispatcher.post(
        &format!(
            "/v1/customers/{}/contracts",
            other["id"].as_str().expect("id")
        ),
        json!({ "plan": "Care", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
                "visits_per_year": 1.0, "covers_parts": true, "covers_labour": false }),
    );
    assert_eq!(
        contract["visits_per_year"], 1,
        "a whole float is an integer"
    );
    let site = w.dispatcher.post(
        &format!("/v1/customers/{}/sites", customer.as_str().expect("id")),
        json!({ "address": "Am Markt 1, Leipzig", "access_notes": "Gate code in the app" }),
    );
    let site_id = site["id"].as_str().expect("id");
    let (status, body) = w.dispatcher.call(
        "POST",
        &format!("/v1/sites/{site_id}/assets"),
        Some(
            &json!({ "kind": "appliance", "category": "dryer", "brand": "Bosch",
                      "model": "WTX", "serial": "B1", "contract_id": contract["id"] }),
        ),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("refused")),
        "{body}"
    );

    // A job with nobody assigned cannot move to `assigned`: its state refuses, not the request.
    let unassigned = w.dispatcher.post(
        "/v1/work-orders",
        json!({ "number": "WO-2", "kind": "repair", "priority": "low",
                "customer_id": customer, "site_id": site_id, "asset_id": null,
                "fault": { "symptom": "Noise" },
                "window": { "window_start": "2026-12-01T09:00:00Z",
                            "window_end": "2026-12-01T11:00:00Z" } }),
    );
    let (status, body) = w.dispatcher.call(
        "POST",
        &format!(
            "/v1/work-orders/{}/status",
            unassigned["id"].as_str().expect("id")
        ),
        Some(&json!({ "to": "assigned" })),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("refused")),
        "{body}"
    );

    // `null` clears the access notes to empty: the column is NOT NULL (this answered 500).
    let cleared = w.dispatcher.patch(
        &format!("/v1/sites/{site_id}"),
        json!({ "access_notes": null }),
    );
    assert_eq!(cleared["access_notes"], "");
}
