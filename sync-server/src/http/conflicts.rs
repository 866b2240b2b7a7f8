//! The server's conflict log for the back office: values that lost a merge and device changes
//! the rules refused.

use axum::Json;
use axum::extract::State;
use onsite_core::conflicts::{self, Conflict};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::openapi::Refusals;
use super::{ApiError, AppState, Caller, Path, QueryArgs, blocking, office_write};

/// Which conflict-log entries.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ConflictQuery {
    /// Include entries already marked seen.
    #[serde(default)]
    include_seen: bool,
}

/// The server's conflict log: values that lost a merge and refused device changes.
#[utoipa::path(
    get,
    path = "/v1/conflicts",
    tag = "back office",
    params(ConflictQuery),
    responses((status = 200, body = Vec<Conflict>), Refusals),
    security(("bearer" = []))
)]
pub(super) async fn list_conflicts(
    State(db): State<AppState>,
    caller: Caller,
    QueryArgs(q): QueryArgs<ConflictQuery>,
) -> Result<Json<Vec<conflicts::Conflict>>, ApiError> {
    caller.back_office()?;
    blocking(move || db.store.read(|c| conflicts::list(c, q.include_seen)))
        .await
        .map(Json)
}

/// Marks a conflict-log entry as seen.
#[utoipa::path(
    post,
    path = "/v1/conflicts/{id}/seen",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The conflict-log entry")),
    responses((status = 204), Refusals),
    security(("bearer" = []))
)]
pub(super) async fn mark_conflict_seen(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::http::StatusCode, ApiError> {
    office_write(db, &caller, move |tx, ctx| {
        conflicts::mark_seen(tx, id, ctx.now())
    })
    .await
    .map(|Json(())| ())?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
