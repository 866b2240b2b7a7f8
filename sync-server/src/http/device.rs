//! The endpoints devices call: push, pull and the first sync's snapshot, behind the
//! protocol-version header.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;

use super::{ApiError, AppState, Body, Caller, QueryArgs, blocking, check_protocol};
use crate::sync;
use onsite_core::sync::snapshot;
use onsite_core::sync::wire::{PullResponse, PushRequest, PushResponse};
use utoipa::IntoParams;

use super::openapi::{BodyRefusals, Refusals};

/// Uploads a device's outbox: each mutation applied exactly once, in seq order.
#[utoipa::path(
    post,
    path = "/v1/sync/push",
    tag = "sync",
    request_body = PushRequest,
    responses((status = 200, body = PushResponse), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn push(
    State(db): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Body(req): Body<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    check_protocol(&headers)?;
    blocking(move || sync::push(&db, &caller.0, req))
        .await
        .map(Json)
}

/// Where to pull from.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct PullQuery {
    /// The cursor the last page returned (0 the first time).
    #[param(minimum = 0)]
    cursor: i64,
}

/// The changes in the caller's scope after a cursor, one page at a time.
#[utoipa::path(
    get,
    path = "/v1/sync/pull",
    tag = "sync",
    params(PullQuery),
    responses((status = 200, body = PullResponse), Refusals),
    security(("bearer" = []))
)]
pub(super) async fn pull(
    State(db): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    QueryArgs(q): QueryArgs<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    check_protocol(&headers)?;
    blocking(move || sync::pull(&db, &caller.0, q.cursor))
        .await
        .map(Json)
}

/// Which snapshot a device asks for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct SnapshotQuery {
    /// The device store's schema version (`store::LATEST_VERSION` of its build): a snapshot
    /// is the store's own tables, so only a device of the same schema can install it.
    #[param(minimum = 1)]
    schema: i64,
}

/// A device's whole scope as one compressed SQLite file, for its first sync: installed in one
/// transaction, then the device pulls on from the cursor inside it. The SHA-256 of the bytes
/// comes in the `onsite-snapshot-sha256` header.
#[utoipa::path(
    get,
    path = "/v1/sync/snapshot",
    tag = "sync",
    params(SnapshotQuery),
    responses(
        (
            status = 200,
            description = "the snapshot (zstd over an SQLite file)",
            content_type = "application/vnd.onsite.snapshot+zstd",
            body = [u8],
            headers(("onsite-snapshot-sha256" = String, description = "SHA-256 (hex) of the body's bytes"))
        ),
        Refusals
    ),
    security(("bearer" = []))
)]
pub(super) async fn snapshot(
    State(db): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    QueryArgs(q): QueryArgs<SnapshotQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    check_protocol(&headers)?;
    let built = blocking(move || sync::snapshot(&db, &caller.0, q.schema)).await?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
        tokio::fs::File::from_std(built.file),
        64 * 1024,
    ));
    axum::response::Response::builder()
        .header(header::CONTENT_TYPE, snapshot::CONTENT_TYPE)
        .header(header::CONTENT_LENGTH, built.len)
        .header(snapshot::SHA256_HEADER, built.sha256)
        .body(body)
        .map_err(|_| ApiError::worker_failed())
}
