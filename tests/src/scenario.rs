//! A ready world for sync tests: a real server with an admin, a dispatcher and two engineers,
//! and the back office dispatching a job.

use chrono::{Duration, Utc};
use serde_json::json;
use tempfile::TempDir;
use uuid::Uuid;

use crate::server::{Http, Server};

/// A running server with its accounts.
pub struct World {
    /// Holds the server's data directory.
    pub dir: TempDir,
    /// The running server.
    pub server: Server,
    /// The dispatcher's client.
    pub dispatcher: Http,
    /// The dispatcher's token.
    pub dispatcher_token: String,
    /// The dispatcher's account id.
    pub dispatcher_id: String,
    /// Tokens of `eng-a` and `eng-b`.
    pub tokens: Vec<String>,
}

/// Starts a server with an admin, a dispatcher and engineers `eng-a`, `eng-b`.
pub fn world() -> World {
    world_with(&[])
}

/// [`world`] with more server arguments (e.g. `--pull-page-size 1`).
pub fn world_with(server_args: &[&str]) -> World {
    let dir = TempDir::new().expect("temp dir");
    let data = dir.path().join("server");
    let admin_token = Server::create_admin(&data, "admin");
    let server = Server::start_with(&data, server_args);
    let admin = Http::new(&server.url, &admin_token);
    let dispatcher_user = admin.post(
        "/v1/users",
        json!({ "name": "dispatch", "role": "dispatcher" }),
    );
    let dispatcher_token = admin.post(
        &format!(
            "/v1/users/{}/tokens",
            dispatcher_user["id"].as_str().expect("id")
        ),
        json!({}),
    );
    let dispatcher_token = dispatcher_token["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let dispatcher = Http::new(&server.url, &dispatcher_token);
    let tokens = ["eng-a", "eng-b"]
        .iter()
        .map(|name| {
            let user = dispatcher.post("/v1/users", json!({ "name": name, "role": "engineer" }));
            let t = dispatcher.post(
                &format!("/v1/users/{}/tokens", user["id"].as_str().expect("id")),
                json!({}),
            );
            t["token"].as_str().expect("token").to_owned()
        })
        .collect();
    World {
        dir,
        server,
        dispatcher,
        dispatcher_id: dispatcher_user["id"].as_str().expect("id").to_owned(),
        dispatcher_token,
        tokens,
    }
}

/// The back office (`office`) creates a customer, site, washing machine (no warranty) and a job for today.
pub fn dispatch(office: &Http, number: &str, engineer: &str) -> Uuid {
    let customer = office.post(
        "/v1/customers",
        json!({ "name": "Paul Klein", "phone": "+49 30 1731715" }),
    );
    let site = office.post(
        &format!(
            "/v1/customers/{}/sites",
            customer["id"].as_str().expect("id")
        ),
        json!({ "address": "Rosenstraße 45, 04109 Leipzig", "access_notes": "Ring twice" }),
    );
    let asset = office.post(
        &format!("/v1/sites/{}/assets", site["id"].as_str().expect("id")),
        json!({ "kind": "appliance", "category": "washing machine", "brand": "Miele", "model": "WWD320",
                "serial": "MI31192374", "warranty_ends_on": "2024-01-01" }),
    );
    let start = Utc::now() - Duration::minutes(30);
    let wo = office.post(
        "/v1/work-orders",
        json!({ "number": number, "kind": "repair", "priority": "high",
                "customer_id": customer["id"], "site_id": site["id"], "asset_id": asset["id"],
                "fault": { "symptom": "Does not drain", "error_code": "F11" },
                "window": { "window_start": start, "window_end": start + Duration::hours(2) },
                "assignee": engineer }),
    );
    wo["id"].as_str().expect("id").parse().expect("uuid")
}

/// Only the pull half of a sync round, for engineer `engineer` (0: eng-a, 1: eng-b) on `store`:
/// one page, applied as the sync client applies it. Returns the page.
pub fn pull_only(
    w: &World,
    engineer: usize,
    store: &onsite_core::Store,
) -> onsite_core::sync::wire::PullResponse {
    let http = Http::new(&w.server.url, &w.tokens[engineer]);
    let cursor = store
        .read(onsite_core::sync::apply::cursor)
        .expect("cursor");
    let page: onsite_core::sync::wire::PullResponse =
        serde_json::from_value(http.get(&format!("/v1/sync/pull?cursor={cursor}"))).expect("page");
    store
        .import(|tx, ctx| onsite_core::sync::apply::apply_pull(tx, ctx, &page))
        .expect("pull");
    page
}
