//! Request extractors: JSON bodies, path segments and query strings whose rejections are
//! [`ApiError`]s (axum's own answer them as `text/plain`), and the bearer-token [`Caller`].

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::{ApiError, AppState, blocking};
use crate::db::{User, UserRole};
use crate::error::{Forbidden, ServerResult};

/// A JSON request body whose every rejection (malformed, unknown field, too large) is an
/// [`ApiError`] with the rejection's own status code.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Body<T>(pub T);

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> ApiError {
        // The rejection's text is answered, never logged: it can quote the body.
        let code = match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            _ => "invalid",
        };
        ApiError::new(r.status(), code, r.body_text())
    }
}

/// Path segments (the `{id}` of a route) whose rejection, a malformed id, is an [`ApiError`].
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(r: axum::extract::rejection::PathRejection) -> ApiError {
        ApiError::new(r.status(), "invalid", r.body_text())
    }
}

/// A query string whose rejection is an [`ApiError`].
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct QueryArgs<T>(pub T);

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> ApiError {
        ApiError::new(r.status(), "invalid", r.body_text())
    }
}

/// The authenticated caller.
pub struct Caller(pub User);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthorized)?
            .to_owned();
        let db = state.clone();
        let user = blocking(move || db.authenticate(&token)).await?;
        user.map(Caller).ok_or_else(ApiError::unauthorized)
    }
}

impl Caller {
    pub(super) fn back_office(&self) -> ServerResult<()> {
        match self.0.role {
            UserRole::Dispatcher | UserRole::Admin => Ok(()),
            UserRole::Engineer => Err(Forbidden::BackOfficeOnly.into()),
        }
    }
}
