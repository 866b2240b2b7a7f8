//! Request logging: every request gets an id (UUIDv7, so ids sort by time) that is its span's
//! `id` field and its `x-request-id` response header, and one info line when it is answered
//! with the method, the matched route template (`/v1/work-orders/{id}`), the status and the
//! latency. Everything logged while it runs (a push's counts, a refusal's code) is inside its
//! span. Headers and bodies are never logged: they carry tokens and personal data.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use uuid::Uuid;

/// The response header that carries the request's id, the `id` of its log lines.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The middleware: the request's span, its log line and its id header.
pub async fn requests(req: Request, next: Next) -> Response {
    let id = Uuid::now_v7();
    // The template, not the path: a path of no route could be anything a caller typed.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let span = tracing::info_span!("request", %id, method = %req.method(), %route);
    let started = Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    // Tenths of a millisecond: finer is noise on a shared machine.
    let latency_ms = (started.elapsed().as_micros() as f64 / 100.0).round() / 10.0;
    let status = resp.status().as_u16();
    span.in_scope(|| tracing::info!(status, latency_ms, "request"));
    resp.headers_mut().insert(
        REQUEST_ID_HEADER,
        HeaderValue::try_from(id.to_string()).expect("a UUID is a valid header value"),
    );
    resp
}
