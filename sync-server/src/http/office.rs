//! The back office's endpoints for customers, sites, contracts and assets: create and edit.
//! Every write runs the core's own rules and is logged for the devices' pulls.

use axum::Json;
use axum::extract::State;
use onsite_core::Entity;
use onsite_core::assets::{self, Asset, Contract, NewAsset, NewContract};
use onsite_core::customers::{self, Customer, NewCustomer, NewSite, Site};
use onsite_core::edits::{self, Changes};
use serde::Deserialize;
use uuid::Uuid;

use super::limits::{AssetEdit, CustomerEdit, SiteEdit};
use super::openapi::{BodyRefusals, Refusals};
use super::{ApiError, AppState, Body, Caller, Path, office_write};
use crate::db;

/// Creates a customer.
#[utoipa::path(
    post,
    path = "/v1/customers",
    tag = "back office",
    request_body = NewCustomer,
    responses((status = 200, body = Customer), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
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

/// Creates a site of a customer.
#[utoipa::path(
    post,
    path = "/v1/customers/{id}/sites",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The customer")),
    request_body = NewSite,
    responses((status = 200, body = Site), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
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

/// Creates an asset at a site.
#[utoipa::path(
    post,
    path = "/v1/sites/{id}/assets",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The site")),
    request_body = NewAsset,
    responses((status = 200, body = Asset), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
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

/// Creates a maintenance contract of a customer.
#[utoipa::path(
    post,
    path = "/v1/customers/{id}/contracts",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The customer")),
    request_body = NewContract,
    responses((status = 200, body = Contract), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
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

/// Field name → new value (`null` clears it). Only the fields `onsite_core::edits::FIELDS`
/// lists may be changed; the appointment window moves as a whole.
/// (Its schema in the document is one per kind of row, `limits::CustomerEdit` ...)
#[derive(Deserialize)]
#[serde(transparent)]
pub(super) struct EditBody(pub(super) Changes);

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

/// Changes a customer's phone or email (`null` clears a field).
#[utoipa::path(
    patch,
    path = "/v1/customers/{id}",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The customer")),
    request_body = CustomerEdit,
    responses((status = 200, body = Customer), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn edit_customer(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(EditBody(changes)): Body<EditBody>,
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

/// Changes a site's access notes or contact (`null` clears a field).
#[utoipa::path(
    patch,
    path = "/v1/sites/{id}",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The site")),
    request_body = SiteEdit,
    responses((status = 200, body = Site), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn edit_site(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(EditBody(changes)): Body<EditBody>,
) -> Result<Json<customers::Site>, ApiError> {
    edit_row(db, &caller, Entity::Site, id, changes, customers::get_site).await
}

/// Changes an asset's model, serial or firmware.
#[utoipa::path(
    patch,
    path = "/v1/assets/{id}",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The asset")),
    request_body = AssetEdit,
    responses((status = 200, body = Asset), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn edit_asset(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Body(EditBody(changes)): Body<EditBody>,
) -> Result<Json<assets::Asset>, ApiError> {
    edit_row(db, &caller, Entity::Asset, id, changes, assets::get_asset).await
}
