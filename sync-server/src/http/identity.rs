//! The server database's identity on every answer (`onsite-server-id`), errors included, so a
//! device notices a server restored from a backup whatever it asked (`sync::recovery` in the
//! core).

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use onsite_core::sync::wire::SERVER_ID_HEADER;

use super::AppState;

/// Adds the header to the answer.
pub async fn stamp(State(db): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let id = HeaderValue::from_str(&db.identity().to_string())
        .expect("a UUID's text is a valid header value");
    resp.headers_mut().insert(SERVER_ID_HEADER, id);
    resp
}
