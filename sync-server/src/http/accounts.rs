//! Accounts and tokens: admins create any account, dispatchers create engineers; tokens are
//! issued per account and revocable.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::openapi::{BodyRefusals, Refusals};
use super::{ApiError, AppState, Body, Caller, Path, blocking};
use crate::db::{User, UserRole};
use crate::error::{Forbidden, Missing, ServerError};

/// A new account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewUser {
    /// Login name; for an engineer also the `assignee` of their jobs.
    name: String,
    /// Its role.
    role: UserRole,
}

/// A token just issued: shown only this once.
#[derive(Serialize, ToSchema)]
pub(super) struct IssuedToken {
    /// The bearer token.
    token: String,
}

/// Creates an account: an admin creates any role, a dispatcher creates engineers.
#[utoipa::path(
    post,
    path = "/v1/users",
    tag = "accounts",
    request_body = NewUser,
    responses((status = 200, body = User), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn create_user(
    State(db): State<AppState>,
    caller: Caller,
    Body(new): Body<NewUser>,
) -> Result<Json<User>, ApiError> {
    caller.back_office()?;
    if caller.0.role != UserRole::Admin && new.role != UserRole::Engineer {
        return Err(ServerError::from(Forbidden::AdminCreatesStaff).into());
    }
    blocking(move || db.create_user(&new.name, new.role))
        .await
        .map(Json)
}

/// Issues a new bearer token for an account (shown once; stored only as its SHA-256).
#[utoipa::path(
    post,
    path = "/v1/users/{id}/tokens",
    tag = "accounts",
    params(("id" = Uuid, Path, description = "The account")),
    responses((status = 200, body = IssuedToken), Refusals),
    security(("bearer" = []))
)]
pub(super) async fn issue_token(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<IssuedToken>, ApiError> {
    caller.back_office()?;
    let admin = caller.0.role == UserRole::Admin;
    let token = blocking(move || {
        let target = db.user(id)?.ok_or(Missing::User)?;
        if !admin && target.role != UserRole::Engineer {
            return Err(Forbidden::AdminIssuesStaffTokens.into());
        }
        db.issue_token(id)
    })
    .await?;
    Ok(Json(IssuedToken { token }))
}

/// The token to revoke.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Revoke {
    /// The bearer token.
    token: String,
}

/// Revokes a token: later calls with it get 401.
#[utoipa::path(
    post,
    path = "/v1/tokens/revoke",
    tag = "accounts",
    request_body = Revoke,
    responses((status = 204), Refusals, BodyRefusals),
    security(("bearer" = []))
)]
pub(super) async fn revoke_token(
    State(db): State<AppState>,
    caller: Caller,
    Body(r): Body<Revoke>,
) -> Result<StatusCode, ApiError> {
    caller.back_office()?;
    blocking(move || db.revoke_token(&r.token)).await?;
    Ok(StatusCode::NO_CONTENT)
}
