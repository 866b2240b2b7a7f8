//! FFI mirrors of the core's records (`#[derive(uniffi::Record)]`) and their `From`
//! conversions. No rules here: each conversion copies fields.
//!
//! How values cross the boundary:
//! - ids (UUIDv7) as their canonical text, e.g. `0190f1d2-...`;
//! - instants as `i64` milliseconds since the Unix epoch (UTC);
//! - calendar dates as ISO `YYYY-MM-DD` text;
//! - money as `i64` cents.

pub mod charges;
pub mod enums;
pub mod job;
pub mod parties;
pub mod report;
pub mod signoff;
pub mod sync;
pub mod visit;

use chrono::{DateTime, NaiveDate, Utc};
use onsite_core::{FieldProblem, Problem};
use uuid::Uuid;

use crate::error::ApiError;

/// An id as text.
pub(crate) fn id(u: Uuid) -> String {
    u.to_string()
}

/// An optional id as text.
pub(crate) fn opt_id(u: Option<Uuid>) -> Option<String> {
    u.map(id)
}

/// An instant as milliseconds since the epoch.
pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A date as `YYYY-MM-DD`.
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Converts each element with `From`.
pub(crate) fn all<A, B: From<A>>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(B::from).collect()
}

fn invalid(field: &str, detail: String) -> ApiError {
    ApiError::from(onsite_core::Error::Invalid {
        problems: vec![FieldProblem {
            field: field.to_owned(),
            problem: Problem::Inconsistent { detail },
        }],
    })
}

/// Parses an id given by the app; a malformed one is an `Invalid` error naming `field`.
pub(crate) fn parse_id(field: &str, text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text.trim()).map_err(|_| invalid(field, format!("{text:?} is not an id")))
}

/// Parses epoch milliseconds given by the app.
pub(crate) fn parse_millis(field: &str, ms: i64) -> Result<DateTime<Utc>, ApiError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| invalid(field, format!("{ms} is not a time in milliseconds")))
}

/// Parses a `YYYY-MM-DD` date given by the app.
pub(crate) fn parse_date(field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(field, format!("{text:?} is not a date (YYYY-MM-DD)")))
}
