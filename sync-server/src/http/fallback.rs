//! The answers no handler gives: a path of no route (404), a method the route does not have
//! (405, with axum's `Allow` header), and [`json_errors`], the last net under every layer, so
//! that an error made outside the handlers (the request decompression's 415 for an unknown
//! `content-encoding`) is still a JSON [`ErrorBody`](onsite_core::sync::wire::ErrorBody), as the
//! OpenAPI document promises for every error.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;

/// 404 for a path no route matches.
pub(super) async fn no_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// 405 for a method the route does not serve; axum adds the `Allow` header.
pub(super) async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not serve that method (see the Allow header)",
    )
}

/// The stable code of an error status made outside the handlers.
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "invalid",
    }
}

/// Replaces the body of an error answer that is not JSON with an `ErrorBody`, keeping its
/// status and headers (`Allow`, `Accept-Encoding`). Answers the handlers made are JSON already
/// and pass untouched.
pub(super) async fn json_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let (parts, _) = resp.into_parts();
    let message = status.canonical_reason().unwrap_or("refused");
    let mut fresh = ApiError::new(status, code_of(status), message).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    fresh
}
