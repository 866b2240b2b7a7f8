//! The HTTP API: bearer-token auth, the back-office JSON endpoints and the sync endpoints.
//! Every error is a status code and an [`ErrorBody`](onsite_core::sync::wire::ErrorBody)
//! ([`ApiError`], made from the server's typed errors in `error`; unknown routes, wrong
//! methods and errors made by the layers too, in `fallback`); SQLite work runs off the
//! async threads, inside the request's tracing span. Every request is logged with an id that
//! is also its `x-request-id` header ([`trace`]).

mod accounts;
mod conflicts;
mod device;
mod error;
mod extract;
mod fallback;
mod identity;
mod jobs;
mod limits;
mod office;
pub mod openapi;
pub mod trace;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use onsite_core::sync::snapshot;
use onsite_core::sync::wire::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::decompression::RequestDecompressionLayer;

pub use error::ApiError;
pub use extract::{Body, Caller, Path, QueryArgs};

use crate::db::{self, Db};

/// Shared state of the handlers.
pub type AppState = Arc<Db>;

/// A back-office write: checks the caller's role, runs `f` in one transaction on the blocking
/// pool, answers its result as JSON.
pub(super) async fn office_write<T: Send + 'static>(
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

/// Runs SQLite work on the blocking pool, in the request's span (so what it logs carries the
/// request id).
pub(super) async fn blocking<T: Send + 'static, E: Into<ApiError> + Send + 'static>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError> {
    let span = tracing::Span::current();
    match tokio::task::spawn_blocking(move || span.in_scope(f)).await {
        Ok(result) => result.map_err(Into::into),
        Err(_) => Err(ApiError::worker_failed()),
    }
}

pub(super) fn check_protocol(headers: &HeaderMap) -> Result<(), ApiError> {
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

/// Liveness: answers `ok` while the server runs.
#[utoipa::path(get, path = "/healthz", tag = "meta", responses((status = 200, body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// Builds the router. `max_body` bounds every request body.
pub fn router(db: AppState, max_body: usize) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi::serve))
        .route("/v1/users", post(accounts::create_user))
        .route("/v1/users/{id}/tokens", post(accounts::issue_token))
        .route("/v1/tokens/revoke", post(accounts::revoke_token))
        .route("/v1/customers", post(office::create_customer))
        .route("/v1/customers/{id}", patch(office::edit_customer))
        .route("/v1/customers/{id}/sites", post(office::create_site))
        .route(
            "/v1/customers/{id}/contracts",
            post(office::create_contract),
        )
        .route("/v1/sites/{id}", patch(office::edit_site))
        .route("/v1/sites/{id}/assets", post(office::create_asset))
        .route("/v1/assets/{id}", patch(office::edit_asset))
        .route(
            "/v1/work-orders",
            post(jobs::create_work_order).get(jobs::list_work_orders),
        )
        .route("/v1/work-orders/{id}", patch(jobs::edit_work_order))
        .route("/v1/work-orders/{id}/assign", post(jobs::assign))
        .route("/v1/work-orders/{id}/status", post(jobs::set_status))
        .route("/v1/work-orders/{id}/report", get(jobs::report))
        .route("/v1/conflicts", get(conflicts::list_conflicts))
        .route(
            "/v1/conflicts/{id}/seen",
            post(conflicts::mark_conflict_seen),
        )
        .route("/v1/sync/push", post(device::push))
        .route("/v1/sync/pull", get(device::pull))
        .route("/v1/sync/snapshot", get(device::snapshot))
        .fallback(fallback::no_route)
        .method_not_allowed_fallback(fallback::wrong_method)
        // The limit applies to the inflated body, so a small gzip bomb is refused too.
        .layer(DefaultBodyLimit::max(max_body))
        .layer(RequestDecompressionLayer::new().gzip(true))
        // Outside the decompression (its 415 becomes JSON) and inside the compression (which
        // then compresses the JSON it makes).
        .layer(axum::middleware::from_fn(fallback::json_errors))
        // Fastest: pull pages are large and repetitive, so even the lightest level shrinks
        // them several times, and the server's CPU is shared by every device syncing.
        // Not a snapshot: it is zstd already.
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new(snapshot::CONTENT_TYPE)),
                ),
        )
        .layer(axum::middleware::from_fn_with_state(
            db.clone(),
            identity::stamp,
        ))
        // Outermost, so the logged status and latency are the ones the client gets.
        .layer(axum::middleware::from_fn(trace::requests))
        .with_state(db)
}
