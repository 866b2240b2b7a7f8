//! The HTTP API: bearer-token auth, the back-office JSON endpoints and the sync endpoints.
//! Every error is a status code and an [`ErrorBody`]; SQLite work runs off the async threads.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use onsite_core::assets::{self, NewAsset};
use onsite_core::customers::{self, NewCustomer, NewSite};
use onsite_core::sync::wire::{ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest};
use onsite_core::work_orders::{self, NewWorkOrder, status::Status};
use onsite_core::{Entity, Error};
use serde::Deserialize;
use uuid::Uuid;

use crate::db::{self, Db, User, UserRole};
use crate::sync;

/// Shared state of the handlers.
pub type AppState = Arc<Db>;

/// An error answer: status, stable code, message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: code.to_owned(),
                message: message.into(),
                expected_seq: None,
            },
        }
    }
    /// 400: the request breaks a rule.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid", message)
    }
    /// 401.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }
    /// 403.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    /// 409: conflicts with what is stored.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }
    /// 409 for a seq that was applied before as another mutation: the device store was copied
    /// or restored from a backup, and its new work must not be acknowledged as a retry.
    pub fn seq_reused(seq: i64) -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "seq_reused",
            format!(
                "seq {seq} was already used by another change: this device store was copied or restored; sign in again on a fresh store"
            ),
        )
    }

    /// 409 for a push that skips seqs.
    pub fn gap(expected: i64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::CONFLICT,
            "gap",
            format!("the next mutation must have seq {expected}"),
        );
        e.body.expected_seq = Some(expected);
        e
    }
}

/// The one place core errors become HTTP answers.
impl From<Error> for ApiError {
    fn from(err: Error) -> ApiError {
        let message = err.to_string();
        match err {
            Error::NotFound { .. } => ApiError::not_found(message),
            Error::NotPermitted { .. } => ApiError::forbidden(message),
            Error::IllegalTransition { .. }
            | Error::CompletionRefused { .. }
            | Error::NotOpenForRecords { .. } => {
                ApiError::new(StatusCode::CONFLICT, "refused", message)
            }
            Error::Invalid { .. } | Error::Json(_) => ApiError::invalid(message),
            _ => {
                eprintln!("internal error: {message}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server failed; try again",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// A JSON request body whose every rejection (malformed, unknown field, too large) is an
/// [`ApiError`] with the rejection's own status code.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Body<T>(pub T);

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> ApiError {
        let code = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "invalid"
        };
        ApiError::new(r.status(), code, r.body_text())
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
    fn back_office(&self) -> Result<(), ApiError> {
        match self.0.role {
            UserRole::Dispatcher | UserRole::Admin => Ok(()),
            UserRole::Engineer => {
                eprintln!("refused: an engineer account called a back-office endpoint");
                Err(ApiError::forbidden(
                    "this needs a dispatcher or admin account",
                ))
            }
        }
    }
}

/// A back-office write: checks the caller's role, runs `f` in one transaction on the blocking
/// pool, answers its result as JSON.
async fn office_write<T: Send + 'static>(
    db: AppState,
    caller: &Caller,
    f: impl FnOnce(
        &rusqlite::Transaction<'_>,
        &mut onsite_core::store::ActionCtx,
    ) -> onsite_core::Result<T>
    + Send
    + 'static,
) -> Result<Json<T>, ApiError> {
    caller.back_office()?;
    blocking(move || db::write(&db, f)).await.map(Json)
}

/// Runs SQLite work on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "a worker failed",
        )
    })?
}

fn check_protocol(headers: &HeaderMap) -> Result<(), ApiError> {
    let version = headers.get(PROTOCOL_HEADER).and_then(|v| v.to_str().ok());
    if version == Some(PROTOCOL_VERSION.to_string().as_str()) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_protocol",
            format!(
                "this server speaks sync protocol {PROTOCOL_VERSION}; send it in the {PROTOCOL_HEADER} header"
            ),
        ))
    }
}

/// Builds the router. `max_body` bounds every request body.
pub fn router(db: AppState, max_body: usize) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/users", post(create_user))
        .route("/v1/users/{id}/tokens", post(issue_token))
        .route("/v1/tokens/revoke", post(revoke_token))
        .route("/v1/customers", post(create_customer))
        .route("/v1/customers/{id}/sites", post(create_site))
        .route("/v1/sites/{id}/assets", post(create_asset))
        .route("/v1/work-orders", post(create_work_order))
        .route("/v1/work-orders/{id}/assign", post(assign))
        .route("/v1/work-orders/{id}/status", post(set_status))
        .route("/v1/work-orders/{id}/report", get(report))
        .route("/v1/sync/push", post(push))
        .route("/v1/sync/pull", get(pull))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(db)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    name: String,
    role: UserRole,
}

async fn create_user(
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

async fn issue_token(
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
struct Revoke {
    token: String,
}

async fn revoke_token(
    State(db): State<AppState>,
    caller: Caller,
    Body(r): Body<Revoke>,
) -> Result<StatusCode, ApiError> {
    caller.back_office()?;
    blocking(move || db.revoke_token(&r.token)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn create_customer(
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

async fn create_site(
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

async fn create_asset(
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

async fn create_work_order(
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
struct Assign {
    engineer: String,
}

async fn assign(
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
struct StatusBody {
    to: Status,
    reason: Option<String>,
}

async fn set_status(
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

async fn report(
    State(db): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<onsite_core::report::ReportView>, ApiError> {
    caller.back_office()?;
    blocking(move || Ok(db.store.read(|c| onsite_core::report::view(c, id))?))
        .await
        .map(Json)
}

async fn push(
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
struct PullQuery {
    cursor: i64,
}

async fn pull(
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
