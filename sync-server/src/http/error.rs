//! [`ApiError`]: every error the server answers is a status code and an [`ErrorBody`]. The
//! server's typed [`ServerError`] (and through it every core error) becomes one here, in one
//! place; the refusals only HTTP knows (no token, a bad protocol header, a body that is not the
//! JSON expected) are made in `http` directly. Each answer is logged once, when it is sent: a
//! refusal at info, a failure at error, by code and kind, never by its message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use onsite_core::sync::wire::ErrorBody;

use crate::error::ServerError;

/// An error answer: status, stable code, message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    /// The specific reason, for the log line (`illegal_transition`, `foreign_device`).
    kind: &'static str,
    /// For a failure of the server: what can be logged of it (no personal data). Boxed: an
    /// error travels in every handler's `Result`, so it stays small.
    failure: Option<Box<str>>,
}

impl ApiError {
    /// An answer made by the HTTP layer itself, whose code is also its kind.
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                error: code.to_owned(),
                message: message.into(),
                expected_seq: None,
                server_time_ms: None,
            },
            kind: code,
            failure: None,
        }
    }

    /// 401.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    /// 500 for SQLite work that panicked on the blocking pool.
    pub(super) fn worker_failed() -> ApiError {
        let mut e = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "a worker failed",
        );
        e.kind = "worker_panicked";
        e.failure = Some("a blocking task panicked".into());
        e
    }

    /// This refusal as 409 `refused`: for a rule broken by the rows' state rather than by the
    /// request.
    pub(super) fn refused(mut self) -> ApiError {
        self.status = StatusCode::CONFLICT;
        self.body.error = "refused".to_owned();
        self
    }

    /// Its status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Its body.
    pub fn body(&self) -> &ErrorBody {
        &self.body
    }
}

/// The status of each code: the one place a [`ServerError`] meets HTTP.
fn status_of(code: &str) -> StatusCode {
    match code {
        "invalid" => StatusCode::BAD_REQUEST,
        "forbidden" => StatusCode::FORBIDDEN,
        "not_found" | "snapshots_off" => StatusCode::NOT_FOUND,
        "refused" | "conflict" | "gap" | "seq_reused" | "clock_ahead" | "snapshot_schema" => {
            StatusCode::CONFLICT
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Fields that refer to other rows. A core `Invalid` naming only these, as inconsistent, says
/// that the rows exist but do not belong together (another customer's site or contract, a
/// follow-up of a different job): that depends on the server's rows, not on the request
/// alone, so it is 409 `refused` like the rules' other refusals, not 400.
const REFERENCES: &[&str] = &[
    "customer_id",
    "site_id",
    "asset_id",
    "contract_id",
    "follow_up_of",
];

fn mismatched_rows(err: &ServerError) -> bool {
    match err {
        ServerError::Core(onsite_core::Error::Invalid { problems }) => {
            !problems.is_empty()
                && problems.iter().all(|p| {
                    REFERENCES.contains(&p.field.as_str())
                        && matches!(p.problem, onsite_core::Problem::Inconsistent { .. })
                })
        }
        _ => false,
    }
}

impl From<ServerError> for ApiError {
    fn from(err: ServerError) -> ApiError {
        let code = if mismatched_rows(&err) {
            "refused"
        } else {
            err.code()
        };
        if err.is_internal() {
            let mut e = ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server failed; try again",
            );
            e.kind = err.kind();
            e.failure = Some(err.log_detail().into());
            return e;
        }
        let mut e = ApiError::new(status_of(code), code, err.to_string());
        e.kind = err.kind();
        match err {
            ServerError::Gap { expected } => e.body.expected_seq = Some(expected),
            ServerError::ClockAhead { server_time_ms } => {
                e.body.server_time_ms = Some(server_time_ms);
            }
            _ => {}
        }
        e
    }
}

impl From<onsite_core::Error> for ApiError {
    fn from(err: onsite_core::Error) -> ApiError {
        ServerError::Core(err).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, kind) = (self.status.as_u16(), &self.body.error, self.kind);
        match &self.failure {
            Some(failure) => {
                tracing::error!(status, code = %code, kind = %kind, failure = %failure, "request failed");
            }
            None => tracing::info!(status, code = %code, kind = %kind, "request refused"),
        }
        (self.status, Json(self.body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Forbidden, Invalid, Missing};
    use onsite_core::work_orders::status::{Role, Status};
    use onsite_core::{Entity, Error};

    /// The statuses and codes the tests of the real server (`http_api`, `sync_e2e`) pin down,
    /// one per variant.
    #[test]
    fn every_error_keeps_its_status_code_and_body() {
        let cases: Vec<(ServerError, u16, &str)> = vec![
            (Forbidden::ForeignDevice.into(), 403, "forbidden"),
            (Forbidden::BackOfficeOnly.into(), 403, "forbidden"),
            (ServerError::Gap { expected: 7 }, 409, "gap"),
            (ServerError::SeqReused { seq: 3 }, 409, "seq_reused"),
            (
                ServerError::ClockAhead { server_time_ms: 5 },
                409,
                "clock_ahead",
            ),
            (Missing::User.into(), 404, "not_found"),
            (Invalid::NegativeCursor.into(), 400, "invalid"),
            (ServerError::NameTaken, 409, "conflict"),
            (
                ServerError::SnapshotSchema {
                    asked: 3,
                    built: onsite_core::store::LATEST_VERSION,
                },
                409,
                "snapshot_schema",
            ),
            (ServerError::SnapshotsOff, 404, "snapshots_off"),
            (
                Error::not_found(Entity::WorkOrder, "x").into(),
                404,
                "not_found",
            ),
            (
                Error::NotPermitted {
                    action: "x",
                    role: Role::Engineer,
                }
                .into(),
                403,
                "forbidden",
            ),
            (
                Error::IllegalTransition {
                    from: Status::Completed,
                    to: Status::Cancelled,
                    role: Role::Dispatcher,
                }
                .into(),
                409,
                "refused",
            ),
            (Error::inconsistent("f", "x").into(), 400, "invalid"),
            (Error::Protocol("x".into()).into(), 500, "internal"),
            (
                ServerError::Storage {
                    path: "/x".into(),
                    source: std::io::Error::other("x"),
                },
                500,
                "internal",
            ),
        ];
        for (err, status, code) in cases {
            let message = err.to_string();
            let internal = err.is_internal();
            let answer = ApiError::from(err);
            assert_eq!(answer.status().as_u16(), status, "{code}");
            assert_eq!(answer.body().error, code);
            if internal {
                assert_eq!(answer.body().message, "the server failed; try again");
            } else {
                assert_eq!(answer.body().message, message);
            }
        }
        let gap = ApiError::from(ServerError::Gap { expected: 7 });
        assert_eq!(gap.body().expected_seq, Some(7));
        assert_eq!(gap.body().message, "the next mutation must have seq 7");
        let ahead = ApiError::from(ServerError::ClockAhead { server_time_ms: 5 });
        assert_eq!(ahead.body().server_time_ms, Some(5));
    }
}
