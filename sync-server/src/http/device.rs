//! The endpoints devices call: push and pull, behind the protocol-version header.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;

use super::{ApiError, AppState, Body, Caller, QueryArgs, blocking, check_protocol};
use crate::sync;
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
