//! Accounts and tokens: admins create any account, dispatchers create engineers; tokens are
//! issued per account and revocable.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::{ApiError, AppState, Body, Caller, blocking};
use crate::db::{User, UserRole};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewUser {
    name: String,
    role: UserRole,
}

pub(super) async fn create_user(
    State(db): State<AppState>,
    caller: Caller,
    Body(new): Body<NewUser>,
) -> Result<Json<User>, ApiError> {
    caller.back_office()?;
    if caller.0.role != UserRole::Admin && new.role != UserRole::Engineer {
        return Err(ApiError::forbidden(
            "only an admin creates dispatchers and admins",
        ));
    }
    blocking(move || db.create_user(&new.name, new.role))
        .await
        .map(Json)
}

pub(super) async fn issue_token(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.back_office()?;
    let admin = caller.0.role == UserRole::Admin;
    let token = blocking(move || {
        let target = db
            .user(id)?
            .ok_or_else(|| ApiError::not_found("no such user"))?;
        if !admin && target.role != UserRole::Engineer {
            return Err(ApiError::forbidden(
                "only an admin issues tokens for dispatchers and admins",
            ));
        }
        db.issue_token(id)
    })
    .await?;
    Ok(Json(serde_json::json!({ "token": token })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Revoke {
    token: String,
}

pub(super) async fn revoke_token(
    State(db): State<AppState>,
    caller: Caller,
    Body(r): Body<Revoke>,
) -> Result<StatusCode, ApiError> {
    caller.back_office()?;
    blocking(move || db.revoke_token(&r.token)).await?;
    Ok(StatusCode::NO_CONTENT)
}
