//! The endpoints devices call: push and pull, behind the protocol-version header.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;

use super::{ApiError, AppState, Body, Caller, QueryArgs, blocking, check_protocol};
use crate::sync;
use onsite_core::sync::wire::PushRequest;

pub(super) async fn push(
    State(db): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Body(req): Body<PushRequest>,
) -> Result<Json<onsite_core::sync::wire::PushResponse>, ApiError> {
    check_protocol(&headers)?;
    blocking(move || sync::push(&db, &caller.0, &req))
        .await
        .map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PullQuery {
    cursor: i64,
}

pub(super) async fn pull(
    State(db): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    QueryArgs(q): QueryArgs<PullQuery>,
) -> Result<Json<onsite_core::sync::wire::PullResponse>, ApiError> {
    check_protocol(&headers)?;
    if q.cursor < 0 {
        return Err(ApiError::invalid("cursor must not be negative"));
    }
    blocking(move || sync::pull(&db, &caller.0, q.cursor))
        .await
        .map(Json)
}
