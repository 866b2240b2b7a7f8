//! The back office's work-order endpoints: create, list and filter, reschedule and edit,
//! assign, status changes, and the completed visit's service report.

use axum::Json;
use axum::extract::State;
use onsite_core::Entity;
use onsite_core::report::ReportView;
use onsite_core::work_orders::queries::{self, WorkOrderFilter};
use onsite_core::work_orders::{self, NewWorkOrder, StatusChange, WorkOrder, status::Status};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::limits::WorkOrderEdit;
use super::office::{EditBody, edit_row};
use super::openapi::{BodyRefusals, Refusals};
use super::{ApiError, AppState, Body, Caller, Path, QueryArgs, blocking, office_write};
use crate::db;
use crate::error::ServerError;

/// Creates a work order (assigned at once if it names an engineer).
#[utoipa::path(
    post,
    path = "/v1/work-orders",
    tag = "back office",
    request_body = NewWorkOrder,
    responses((status = 200, body = WorkOrder), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn create_work_order(
    State(db): State<AppState>,
    caller: Caller,
    Body(new): Body<NewWorkOrder>,
) -> Result<Json<work_orders::WorkOrder>, ApiError> {
    office_write(db, &caller, move |tx, ctx| {
        let wo = work_orders::create(tx, ctx, new)?;
        db::touch_job(tx, wo.id)?;
        Ok(wo)
    })
    .await
}

/// Who gets the job.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Assign {
    /// The engineer's account name.
    engineer: String,
}

/// Assigns or reassigns a job; the previous engineer's devices drop it.
#[utoipa::path(
    post,
    path = "/v1/work-orders/{id}/assign",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The work order")),
    request_body = Assign,
    responses((status = 200, body = WorkOrder), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn assign(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(a): Body<Assign>,
) -> Result<Json<work_orders::WorkOrder>, ApiError> {
    let role = caller.0.role.core_role();
    office_write(db, &caller, move |tx, ctx| {
        let before = work_orders::get(tx, id)?.assignee;
        let wo = work_orders::assign(tx, ctx, id, a.engineer, role)?;
        if let Some(previous) = before.filter(|p| Some(p) != wo.assignee.as_ref()) {
            db::log_handover(tx, id, &previous)?;
        }
        db::touch_job(tx, wo.id)?;
        Ok(wo)
    })
    .await
}

/// A status change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StatusBody {
    /// The new status.
    to: Status,
    /// Why (required to cancel or to mark incomplete).
    reason: Option<String>,
}

/// Moves a job through the status machine as the back office (e.g. cancel, with a reason).
#[utoipa::path(
    post,
    path = "/v1/work-orders/{id}/status",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The work order")),
    request_body = StatusBody,
    responses((status = 200, body = StatusChange), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn set_status(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(b): Body<StatusBody>,
) -> Result<Json<work_orders::StatusChange>, ApiError> {
    caller.back_office()?;
    let role = caller.0.role.core_role();
    let write = move || {
        db::write(&db, move |tx, ctx| {
            let prior = work_orders::get(tx, id)?;
            let (before, was_over) = (prior.assignee, prior.status.is_over());
            let change = work_orders::transition(tx, ctx, id, b.to, role, b.reason)?;
            if let (Status::New, Some(previous)) = (b.to, before) {
                db::log_handover(tx, id, &previous)?;
            }
            db::log_change(tx, Entity::WorkOrder, id, Some(id))?;
            db::log_change(tx, Entity::StatusChange, change.id, Some(id))?;
            db::log_visit_status(tx, id, was_over)?;
            Ok(change)
        })
        .map_err(no_assignee_is_a_conflict)
    };
    blocking(write).await.map(Json)
}

/// A move to `assigned` of a job nobody is assigned to: the core names the job's missing
/// `assignee`, which this request does not carry, so it is refused by the job's state (409
/// `refused`, as the status machine's other refusals), not by the input.
fn no_assignee_is_a_conflict(err: ServerError) -> ApiError {
    let by_state = matches!(
        &err,
        ServerError::Core(onsite_core::Error::Invalid { problems })
            if !problems.is_empty() && problems.iter().all(|p| p.field == "assignee")
    );
    let answer = ApiError::from(err);
    if by_state { answer.refused() } else { answer }
}

/// The service report of a job: the canonical report, its SHA-256 and the sign-off.
#[utoipa::path(
    get,
    path = "/v1/work-orders/{id}/report",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The work order")),
    responses((status = 200, body = ReportView), Refusals),
    security(("bearer" = []))
)]
pub(super) async fn report(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<onsite_core::report::ReportView>, ApiError> {
    caller.back_office()?;
    blocking(move || db.store.read(|c| onsite_core::report::view(c, id)))
        .await
        .map(Json)
}

/// Reschedules (`window_start` and `window_end` together), re-prioritises or corrects the error code of a job.
#[utoipa::path(
    patch,
    path = "/v1/work-orders/{id}",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The work order")),
    request_body = WorkOrderEdit,
    responses((status = 200, body = WorkOrder), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn edit_work_order(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(EditBody(changes)): Body<EditBody>,
) -> Result<Json<work_orders::WorkOrder>, ApiError> {
    edit_row(
        db,
        &caller,
        Entity::WorkOrder,
        id,
        changes,
        work_orders::get,
    )
    .await
}

/// Work orders filtered by status, engineer and day, earliest appointment first.
#[utoipa::path(
    get,
    path = "/v1/work-orders",
    tag = "back office",
    params(WorkOrderFilter),
    responses((status = 200, body = Vec<WorkOrder>), Refusals),
    security(("bearer" = []))
)]
pub(super) async fn list_work_orders(
    State(db): State<AppState>,
    caller: Caller,
    QueryArgs(filter): QueryArgs<WorkOrderFilter>,
) -> Result<Json<Vec<work_orders::WorkOrder>>, ApiError> {
    caller.back_office()?;
    blocking(move || db.store.read(|c| queries::list(c, &filter)))
        .await
        .map(Json)
}
