//! The back office's endpoints: customers, sites, contracts, assets and work orders; assigning,
//! rescheduling, editing, status changes; the work-order list; completed reports; the
//! conflict log. Every write runs the core's own rules and is logged for the devices' pulls.

use axum::Json;
use axum::extract::{Path, State};
use onsite_core::Entity;
use onsite_core::assets::{self, NewAsset, NewContract};
use onsite_core::conflicts;
use onsite_core::customers::{self, NewCustomer, NewSite};
use onsite_core::edits::{self, Changes};
use onsite_core::work_orders::queries::{self, WorkOrderFilter};
use onsite_core::work_orders::{self, NewWorkOrder, status::Status};
use serde::Deserialize;
use uuid::Uuid;

use super::{ApiError, AppState, Body, Caller, QueryArgs, blocking, office_write};
use crate::db;

pub(super) async fn create_customer(
    State(db): State<AppState>,
    caller: Caller,
    Body(new): Body<NewCustomer>,
) -> Result<Json<customers::Customer>, ApiError> {
    office_write(db, &caller, move |tx, ctx| {
        let c = customers::create_customer(tx, ctx, new)?;
        db::log_change(tx, Entity::Customer, c.id, None)?;
        Ok(c)
    })
    .await
}

pub(super) async fn create_site(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(new): Body<NewSite>,
) -> Result<Json<customers::Site>, ApiError> {
    office_write(db, &caller, move |tx, ctx| {
        let s = customers::create_site(tx, ctx, id, new)?;
        db::log_change(tx, Entity::Site, s.id, None)?;
        Ok(s)
    })
    .await
}

pub(super) async fn create_asset(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(new): Body<NewAsset>,
) -> Result<Json<assets::Asset>, ApiError> {
    office_write(db, &caller, move |tx, ctx| {
        let a = assets::create_asset(tx, ctx, id, new)?;
        db::log_change(tx, Entity::Asset, a.id, None)?;
        Ok(a)
    })
    .await
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Assign {
    engineer: String,
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StatusBody {
    to: Status,
    reason: Option<String>,
}

pub(super) async fn set_status(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(b): Body<StatusBody>,
) -> Result<Json<work_orders::StatusChange>, ApiError> {
    let role = caller.0.role.core_role();
    office_write(db, &caller, move |tx, ctx| {
        let before = work_orders::get(tx, id)?.assignee;
        let change = work_orders::transition(tx, ctx, id, b.to, role, b.reason)?;
        if let (Status::New, Some(previous)) = (b.to, before) {
            db::log_handover(tx, id, &previous)?;
        }
        db::log_change(tx, Entity::WorkOrder, id, Some(id))?;
        db::log_change(tx, Entity::StatusChange, change.id, Some(id))?;
        Ok(change)
    })
    .await
}

pub(super) async fn report(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<onsite_core::report::ReportView>, ApiError> {
    caller.back_office()?;
    blocking(move || Ok(db.store.read(|c| onsite_core::report::view(c, id))?))
        .await
        .map(Json)
}

pub(super) async fn create_contract(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(new): Body<NewContract>,
) -> Result<Json<assets::Contract>, ApiError> {
    office_write(db, &caller, move |tx, ctx| {
        let c = assets::create_contract(tx, ctx, id, new)?;
        db::log_change(tx, Entity::Contract, c.id, None)?;
        Ok(c)
    })
    .await
}

/// Edits plain fields of a row as the caller and logs the row for the devices' pulls.
pub(super) async fn edit_row<T: Send + 'static>(
    db: AppState,
    caller: &Caller,
    entity: Entity,
    id: Uuid,
    changes: Changes,
    get: fn(&rusqlite::Connection, Uuid) -> onsite_core::Result<T>,
) -> Result<Json<T>, ApiError> {
    let role = caller.0.role.core_role();
    office_write(db, caller, move |tx, ctx| {
        edits::edit(tx, ctx, entity, id, changes, role)?;
        let job = (entity == Entity::WorkOrder).then_some(id);
        db::log_change(tx, entity, id, job)?;
        get(tx, id)
    })
    .await
}

pub(super) async fn edit_customer(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(changes): Body<Changes>,
) -> Result<Json<customers::Customer>, ApiError> {
    edit_row(
        db,
        &caller,
        Entity::Customer,
        id,
        changes,
        customers::get_customer,
    )
    .await
}

pub(super) async fn edit_site(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(changes): Body<Changes>,
) -> Result<Json<customers::Site>, ApiError> {
    edit_row(db, &caller, Entity::Site, id, changes, customers::get_site).await
}

pub(super) async fn edit_asset(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(changes): Body<Changes>,
) -> Result<Json<assets::Asset>, ApiError> {
    edit_row(db, &caller, Entity::Asset, id, changes, assets::get_asset).await
}

pub(super) async fn edit_work_order(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(changes): Body<Changes>,
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

pub(super) async fn list_work_orders(
    State(db): State<AppState>,
    caller: Caller,
    QueryArgs(filter): QueryArgs<WorkOrderFilter>,
) -> Result<Json<Vec<work_orders::WorkOrder>>, ApiError> {
    caller.back_office()?;
    blocking(move || Ok(db.store.read(|c| queries::list(c, &filter))?))
        .await
        .map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConflictQuery {
    /// Include entries already marked seen.
    #[serde(default)]
    include_seen: bool,
}

pub(super) async fn list_conflicts(
    State(db): State<AppState>,
    caller: Caller,
    QueryArgs(q): QueryArgs<ConflictQuery>,
) -> Result<Json<Vec<conflicts::Conflict>>, ApiError> {
    caller.back_office()?;
    blocking(move || Ok(db.store.read(|c| conflicts::list(c, q.include_seen))?))
        .await
        .map(Json)
}

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
