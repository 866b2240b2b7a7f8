//! [`ApiError`]: every error the server answers is a status code and an [`ErrorBody`], and core
//! errors become HTTP answers in one place.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use onsite_core::Error;
use onsite_core::sync::wire::ErrorBody;

/// An error answer: status, stable code, message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: code.to_owned(),
                message: message.into(),
                expected_seq: None,
                server_time_ms: None,
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

    /// 409 for a push stamped by a clock more than five minutes ahead of the server's.
    pub fn clock_ahead(server_time_ms: i64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::CONFLICT,
            "clock_ahead",
            "the device clock is more than 5 minutes ahead of the server's: stamp the changes again from the server's time",
        );
        e.body.server_time_ms = Some(server_time_ms);
        e
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
